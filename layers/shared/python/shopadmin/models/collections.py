"""Write intents on a customer's or a visitor's collections, produced by logic and carried out by the dal.

Each `CollectionChange` is applied atomically together with a marker of its event id, so a
replayed event changes nothing, whatever its age.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class CartOwner:
    kind: Literal["customer", "guest"]  # a guest cart belongs to the session (unsaved data)
    id: str


@dataclass(frozen=True)
class CartLineAdd:
    owner: CartOwner
    sku: str
    qty: int
    name: str | None = None
    price: str | None = None
    expires_at: int | None = None  # epoch seconds; None for a customer's saved cart
    # the add applies only while the line holds at most this (so the result stays within the cap)
    max_qty_before: int | None = None


@dataclass(frozen=True)
class CartLineSet:
    owner: CartOwner
    sku: str
    qty: int
    name: str | None = None
    price: str | None = None
    expires_at: int | None = None


@dataclass(frozen=True)
class CartLineRemove:
    owner: CartOwner
    sku: str
    expected_qty: int | None = None  # set when moving a line: fails if the line changed meanwhile


@dataclass(frozen=True)
class CheckoutDraftSave:
    session_id: str
    data_json: str
    expires_at: int
    customer_id: str | None = None  # the customer of the session, if any: must exist when the draft is saved


@dataclass(frozen=True)
class OrderPut:
    customer_id: str
    order_id: str
    total: str
    created_at: int
    items_json: str | None = None
    placed_by: str | None = None


@dataclass(frozen=True)
class WishlistAdd:
    customer_id: str
    sku: str
    added_at: int


@dataclass(frozen=True)
class WishlistRemove:
    customer_id: str
    sku: str


@dataclass(frozen=True)
class ReviewPut:
    customer_id: str
    review_id: str
    sku: str
    rating: int | None
    created_at: int


@dataclass(frozen=True)
class NewsletterSet:
    customer_id: str
    website_id: str
    subscribed: bool
    changed_at: int


Operation = (CartLineAdd | CartLineSet | CartLineRemove | CheckoutDraftSave | OrderPut | WishlistAdd | WishlistRemove
             | ReviewPut | NewsletterSet)


@dataclass(frozen=True)
class CollectionChange:
    event_id: str
    purpose: str  # distinguishes several changes made for one event (e.g. "apply", "merge-1")
    operations: tuple[Operation, ...] = field(default_factory=tuple)
    updated_at: int = 0  # epoch ms


APPLIED = "applied"
DUPLICATE = "duplicate"  # its event marker existed: applied before, nothing changed
ChangeResult = str | Exception  # APPLIED, DUPLICATE, ChangeConflict, CustomerGone, or what the write failed with


@dataclass(frozen=True)
class CartLineView:
    sku: str
    qty: int
    name: str | None
    price: str | None
    expires_at: int | None
