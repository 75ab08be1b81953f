"""The storefront event contract (SPEC section 5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, ValidationError, model_validator

from shopadmin.models.base import Model
from shopadmin.models.money import Money
from shopadmin.models.text import first_refused

EventType = Literal[
    "customer_registered",
    "customer_logged_in",
    "customer_logged_out",
    "cart_item_added",
    "cart_item_removed",
    "cart_item_updated",
    "account_updated",
    "order_placed",
    "wishlist_item_added",
    "wishlist_item_removed",
    "review_submitted",
    "newsletter_subscribed",
    "newsletter_unsubscribed",
    "checkout_draft_saved",
    "page_viewed",
]

# Events that bind a customer to the session (and start a customer session).
BINDING_TYPES = frozenset({"customer_registered", "customer_logged_in"})
# Events that change nothing about presence (accepted and counted only).
IGNORED_TYPES = frozenset({"page_viewed"})
CART_TYPES = frozenset({"cart_item_added", "cart_item_removed", "cart_item_updated"})
# Events that only make sense for a known customer.
CUSTOMER_REQUIRED = frozenset(
    {"customer_registered", "customer_logged_in", "account_updated", "wishlist_item_added",
     "wishlist_item_removed", "newsletter_subscribed", "newsletter_unsubscribed"}
)

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")]
WebsiteId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
ShortText = Annotated[str, StringConstraints(max_length=255, strip_whitespace=True)]
Email = Annotated[
    str,
    StringConstraints(max_length=254, strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Sku = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")]
Url = Annotated[str, StringConstraints(max_length=2048, pattern=r"^https?://\S+$")]


class _Data(Model):
    # Storefronts may send more than we use; extra fields are dropped, never stored.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class ProfileData(_Data):
    email: Email
    first_name: ShortText | None = None
    last_name: ShortText | None = None
    company: ShortText | None = None


class AccountData(_Data):
    email: Email | None = None
    first_name: ShortText | None = None
    last_name: ShortText | None = None
    company: ShortText | None = None


MAX_CART_QTY = 10_000  # one cart line, whoever writes it (events add up: checked on the resulting line)

# Event ids are remembered this long (SQS keeps a message 14 days); an older event could apply twice.
EVENT_ID_RETENTION_MS = 15 * 24 * 3600 * 1000
# An event stamped further ahead than this is refused: it would pin a session online for hours.
MAX_FUTURE_SKEW_MS = 5 * 60_000


class CartItemData(_Data):
    sku: Sku
    qty: int = Field(default=1, ge=1, le=MAX_CART_QTY)
    name: ShortText | None = None
    price: Money | None = None


class CartItemRemovedData(_Data):
    sku: Sku


class SkuData(_Data):
    sku: Sku


class OrderData(_Data):
    order_id: Identifier
    total: Money | None = None


class ReviewData(_Data):
    sku: Sku
    review_id: Identifier | None = None
    rating: int | None = Field(default=None, ge=1, le=5)


class CheckoutDraftData(_Data):
    # Checkout drafts are opaque to us; they are only kept (bounded) until the data lifetime ends.
    model_config = ConfigDict(extra="allow")


class NoData(_Data):
    pass


DATA_MODELS: dict[str, type[_Data]] = {
    "customer_registered": ProfileData,
    "customer_logged_in": NoData,
    "customer_logged_out": NoData,
    "cart_item_added": CartItemData,
    "cart_item_updated": CartItemData,
    "cart_item_removed": CartItemRemovedData,
    "account_updated": AccountData,
    "order_placed": OrderData,
    "wishlist_item_added": SkuData,
    "wishlist_item_removed": SkuData,
    "review_submitted": ReviewData,
    "newsletter_subscribed": NoData,
    "newsletter_unsubscribed": NoData,
    "checkout_draft_saved": CheckoutDraftData,
    "page_viewed": NoData,
}

MAX_DATA_JSON_BYTES = 8_192
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class StorefrontEvent(Model):
    """One storefront event; `data` is validated against the model of its type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: Identifier
    type: EventType
    occurred_at: datetime
    session_id: Identifier
    website_id: WebsiteId
    customer_id: Identifier | None = None
    url: Url | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_envelope(self) -> StorefrontEvent:
        if self.occurred_at.tzinfo is None:
            raise ValueError("occurred_at must carry a time zone (use Z for UTC)")
        if self.type in CUSTOMER_REQUIRED and not self.customer_id:
            raise ValueError(f"customer_id is required for {self.type}")
        return self

    @property
    def bound_customer_id(self) -> str:
        """customer_id of a type in CUSTOMER_REQUIRED (the validator above made sure it is there)."""
        if not self.customer_id:
            raise EventInvalid(f"customer_id is required for {self.type}")
        return self.customer_id

    @property
    def occurred_ms(self) -> int:
        # exact integer arithmetic: valid for every datetime, even year 1 in a +14:00 zone
        return (self.occurred_at - _EPOCH) // timedelta(milliseconds=1)


class EventInvalid(ValueError):
    """An event that breaks the contract; `reason` names fields and rules, never values."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_characters(raw: Any, where: str = "") -> None:
    """EventInvalid naming the first string (value or key) holding a refused character (models/text.py).

    Stricter than what SQS accepts in a message (#x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD |
    #x10000–#x10FFFF), so an accepted event can always be queued.
    """
    refused = first_refused(raw, where)
    if refused:
        location, reason = refused
        raise EventInvalid(f"{location if location != 'body' else 'event'}: {reason}")


def check_occurred_at(event: StorefrontEvent, now_ms: int) -> None:
    """The event's time must be within the event-id retention and at most 5 minutes ahead of `now_ms`."""
    at = event.occurred_ms
    if at < now_ms - EVENT_ID_RETENTION_MS:
        raise EventInvalid("occurred_at: older than 15 days (events are accepted for 15 days)")
    if at > now_ms + MAX_FUTURE_SKEW_MS:
        raise EventInvalid("occurred_at: more than 5 minutes in the future")


def parse_event(raw: Any, now_ms: int | None = None) -> StorefrontEvent:
    """Validate the envelope, then `data` against its type's model (normalized, extras dropped).

    With `now_ms` (the injected clock), `occurred_at` must also be within the bounds of
    check_occurred_at.
    """
    if not isinstance(raw, dict):
        raise EventInvalid("event: must be a JSON object")
    check_characters({key: value for key, value in raw.items() if key != "data"})
    check_characters(raw.get("data"), "data")
    try:
        event = StorefrontEvent.model_validate(raw)
    except ValidationError as error:
        raise EventInvalid(describe_validation_error(error)) from None
    if now_ms is not None:
        check_occurred_at(event, now_ms)
    if len(json.dumps(event.data, default=str).encode()) > MAX_DATA_JSON_BYTES:
        raise EventInvalid(f"data: larger than {MAX_DATA_JSON_BYTES} bytes")
    try:
        data = DATA_MODELS[event.type].model_validate(event.data)
    except ValidationError as error:
        raise EventInvalid(describe_validation_error(error, prefix="data")) from None
    return event.model_copy(update={"data": data.model_dump(mode="json", exclude_none=True)})


def describe_validation_error(error: ValidationError, prefix: str = "") -> str:
    """A reason naming the fields and the rule they broke, never the values (they may be personal)."""
    parts = []
    for item in error.errors(include_input=False, include_url=False):
        location = ".".join(str(p) for p in ((prefix,) if prefix else ()) + tuple(item["loc"]))
        location = location or "event"
        message = item["msg"].removeprefix("Value error, ")
        parts.append(f"{location}: {message}")
    return "; ".join(parts)
