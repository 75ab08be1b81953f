"""Customer account, address book and the Customer Information page (SPEC 3.1, 3.2, 4)."""

from __future__ import annotations

import functools
import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    field_validator,
)

from shopadmin.clock import today
from shopadmin.models.base import Model
from shopadmin.models.events import Email, WebsiteId
from shopadmin.models.presence import OnlineRow

Gender = Literal["male", "female", "not_specified"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
OptionalText = Annotated[str, StringConstraints(max_length=255, strip_whitespace=True)] | None
GroupId = Annotated[StrictInt, Field(ge=0, le=10_000)]

QUICK_EDIT_FIELDS = ("email", "website_id", "taxvat", "gender", "group_id")
# Fields every account has (SPEC 9): a save may change them, never clear them.
REQUIRED_FIELDS = ("email", "website_id", "group_id", "first_name", "last_name")
# One limit on every path that writes an address book (create, full save, add one).
MAX_ADDRESSES = 50

@functools.cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes that exist, from pycountry's copy of the ISO list (never typed by hand):
    "UK", "EU", "EL", user-assigned codes such as "QM" or "XX" are not countries. Loaded at the first
    address checked: importing pycountry costs ~65 ms (it reads its own package metadata).
    """
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries)


def _existing_country(code: str) -> str:
    if code not in country_codes():
        raise ValueError("must be an ISO 3166-1 alpha-2 country code that exists, e.g. GB or FR")
    return code


def _not_cleared(value: object) -> object:
    if value is None:
        raise ValueError("is required and cannot be cleared")
    return value


CountryId = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(_existing_country)]
# Read-only fields a client may echo back in a full edit; they are ignored.
READ_ONLY_FIELDS = ("id", "created_at", "version")


class AddressIn(Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")] | None = Field(
        default=None, description="Keep to edit an existing address; omit to add one")
    first_name: Name
    last_name: Name
    company: OptionalText = None
    street: list[Annotated[str, StringConstraints(min_length=1, max_length=255)]] = Field(min_length=1, max_length=4)
    city: Name
    region: OptionalText = None
    postcode: Annotated[str, StringConstraints(max_length=20)] | None = None
    country_id: CountryId = Field(description="ISO 3166-1 alpha-2 code of a country that exists")
    telephone: Annotated[str, StringConstraints(max_length=32)] | None = None
    default_billing: StrictBool = False
    default_shipping: StrictBool = False


class Address(AddressIn):
    id: str


class CustomerAccount(Model):
    """The Account Information tab: what create and full edit write."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Email
    prefix: OptionalText = None
    first_name: Name
    middle_name: OptionalText = None
    last_name: Name
    suffix: OptionalText = None
    dob: date | None = Field(default=None, description="YYYY-MM-DD")
    gender: Gender | None = None
    taxvat: OptionalText = None
    website_id: WebsiteId
    group_id: GroupId = 1
    company: OptionalText = None
    allow_remote_assistance: StrictBool = Field(default=False, description="Allow remote shopping assistance")

    @field_validator(*REQUIRED_FIELDS, mode="before")
    @classmethod
    def _required_not_cleared(cls, value: object) -> object:
        return _not_cleared(value)

    @field_validator("dob", mode="before")
    @classmethod
    def _dob_is_a_date_string(cls, value: object) -> object:
        # JSON has no date type: only "YYYY-MM-DD" is a date here (never a number of seconds)
        if value is None or isinstance(value, date):
            return value
        if not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
            raise ValueError("must be a date as YYYY-MM-DD")
        return value

    @field_validator("dob")
    @classmethod
    def _dob_in_the_past(cls, value: date | None) -> date | None:
        if value is not None and (value > today() or value.year < 1900):
            raise ValueError("must be a date between 1900 and today")
        return value


class CustomerCreate(CustomerAccount):
    addresses: list[AddressIn] | None = Field(default=None, max_length=MAX_ADDRESSES)


class CustomerFullEdit(CustomerAccount):
    """PUT body. `addresses`, when present, replaces the address book."""

    addresses: list[AddressIn] | None = Field(default=None, max_length=MAX_ADDRESSES)
    version: StrictInt | None = Field(default=None, ge=1,
                                         description="The version this edit is based on (or If-Match)")
    id: str | None = Field(default=None, description="Ignored (read-only)")
    created_at: str | None = Field(default=None, description="Ignored (read-only)")


class CustomerQuickEdit(Model):
    """PATCH body (grid inline edit): only these fields."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Email | None = None
    website_id: WebsiteId | None = None
    taxvat: OptionalText = None
    gender: Gender | None = None
    group_id: GroupId | None = None
    version: StrictInt | None = Field(default=None, ge=1)

    @field_validator("email", "website_id", "group_id", mode="before")
    @classmethod
    def _required_not_cleared(cls, value: object) -> object:
        # Omitted means "unchanged"; an explicit null would clear a field every account has.
        return _not_cleared(value)


class Customer(Model):
    id: str
    email: str
    prefix: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    suffix: str | None = None
    dob: str | None = None
    gender: Gender | None = None
    taxvat: str | None = None
    website_id: str | None = None
    group_id: int = 1
    company: str | None = None
    allow_remote_assistance: bool = False
    created_at: str
    version: int


class CustomerPage(Model):
    items: list[Customer]
    next_cursor: str | None


class OrderStats(Model):
    count: int
    lifetime_sales: str
    average_sale: str


class OrderLine(Model):
    sku: str
    qty: int
    name: str | None = None
    price: str | None = None


class Order(Model):
    id: str
    status: str
    total: str
    created_at: str
    items: list[OrderLine] = []
    placed_by: str | None = None


class CartItem(Model):
    sku: str
    name: str | None = None
    qty: int
    price: str | None = None


class Cart(Model):
    items: list[CartItem]


class Activity(Model):
    online: bool
    last_login_at: str | None
    last_logout_at: str | None
    sessions: list[OnlineRow]


class LedgerEntry(Model):
    id: str
    at: str
    amount: str
    reason: str
    balance: str
    actor: str | None = None


class Balance(Model):
    balance: str
    ledger: list[LedgerEntry] = []


class PointsEntry(Model):
    id: str
    at: str
    points: int
    reason: str
    balance: int
    actor: str | None = None


class PointsBalance(Model):
    balance: int
    ledger: list[PointsEntry] = []


class NewsletterState(Model):
    subscriptions: dict[str, bool] = Field(default_factory=dict, description="website_id -> subscribed")
    history: list[dict[str, Any]] = Field(default_factory=list, description="Newsletters sent")


class WishlistItem(Model):
    sku: str
    added_at: str


class Review(Model):
    id: str
    sku: str
    rating: int | None = None
    status: str
    created_at: str


class CustomerProfile(Model):
    """Everything on the Customer Information page, from one read."""

    customer: Customer
    activity: Activity
    addresses: list[Address]
    default_billing: Address | None
    default_shipping: Address | None
    order_stats: OrderStats
    orders: list[Order]
    returns: list[dict[str, Any]]
    cart: Cart
    wishlist: list[WishlistItem]
    gift_registries: list[dict[str, Any]]
    store_credit: Balance
    reward_points: PointsBalance
    newsletter: NewsletterState
    billing_agreements: list[dict[str, Any]]
    reviews: list[Review]


class AuditEntry(Model):
    id: str
    at: str
    actor: str
    action: str
    changes: dict[str, dict[str, Any]] = Field(default_factory=dict, description="field -> {before, after}")


class AuditPage(Model):
    items: list[AuditEntry]
    next_cursor: str | None


GridSort = Literal["-created_at", "created_at", "last_name", "-last_name", "email", "-email"]
