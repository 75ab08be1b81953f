"""Customer account, address book and the Customer Information page (SPEC 3.1, 3.2, 4)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints, field_validator

from shopadmin.models.events import Email, WebsiteId
from shopadmin.models.presence import OnlineRow

Gender = Literal["male", "female", "not_specified"]
Name = Annotated[str, StringConstraints(min_length=1, max_length=255, strip_whitespace=True)]
OptionalText = Optional[Annotated[str, StringConstraints(max_length=255, strip_whitespace=True)]]
GroupId = Annotated[StrictInt, Field(ge=0, le=10_000)]

QUICK_EDIT_FIELDS = ("email", "website_id", "taxvat", "gender", "group_id")
# Read-only fields a client may echo back in a full edit; they are ignored.
READ_ONLY_FIELDS = ("id", "created_at", "version")


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: Optional[Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]] = Field(
        default=None, description="Keep to edit an existing address; omit to add one")
    first_name: Name
    last_name: Name
    company: OptionalText = None
    street: list[Annotated[str, StringConstraints(min_length=1, max_length=255)]] = Field(min_length=1, max_length=4)
    city: Name
    region: OptionalText = None
    postcode: Optional[Annotated[str, StringConstraints(max_length=20)]] = None
    country_id: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] = Field(description="ISO 3166-1 alpha-2")
    telephone: Optional[Annotated[str, StringConstraints(max_length=32)]] = None
    default_billing: StrictBool = False
    default_shipping: StrictBool = False


class Address(AddressIn):
    id: str


class CustomerAccount(BaseModel):
    """The Account Information tab: what create and full edit write."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Email
    prefix: OptionalText = None
    first_name: Name
    middle_name: OptionalText = None
    last_name: Name
    suffix: OptionalText = None
    dob: Optional[date] = Field(default=None, description="YYYY-MM-DD")
    gender: Optional[Gender] = None
    taxvat: OptionalText = None
    website_id: WebsiteId
    group_id: GroupId = 1
    company: OptionalText = None
    allow_remote_assistance: StrictBool = Field(default=False, description="Allow remote shopping assistance")

    @field_validator("dob", mode="before")
    @classmethod
    def _dob_is_a_date_string(cls, value):
        # JSON has no date type: only "YYYY-MM-DD" is a date here (never a number of seconds)
        if value is None or isinstance(value, date):
            return value
        if not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
            raise ValueError("must be a date as YYYY-MM-DD")
        return value

    @field_validator("dob")
    @classmethod
    def _dob_in_the_past(cls, value: Optional[date]) -> Optional[date]:
        if value is not None and (value > date.today() or value.year < 1900):
            raise ValueError("must be a date between 1900 and today")
        return value


class CustomerCreate(CustomerAccount):
    addresses: Optional[list[AddressIn]] = Field(default=None, max_length=50)


class CustomerFullEdit(CustomerAccount):
    """PUT body. `addresses`, when present, replaces the address book."""

    addresses: Optional[list[AddressIn]] = Field(default=None, max_length=50)
    version: Optional[StrictInt] = Field(default=None, ge=1,
                                         description="The version this edit is based on (or If-Match)")
    id: Optional[str] = Field(default=None, description="Ignored (read-only)")
    created_at: Optional[str] = Field(default=None, description="Ignored (read-only)")


class CustomerQuickEdit(BaseModel):
    """PATCH body (grid inline edit): only these fields."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Optional[Email] = None
    website_id: Optional[WebsiteId] = None
    taxvat: OptionalText = None
    gender: Optional[Gender] = None
    group_id: Optional[GroupId] = None
    version: Optional[StrictInt] = Field(default=None, ge=1)


class Customer(BaseModel):
    id: str
    email: str
    prefix: Optional[str] = None
    first_name: Optional[str] = None
    middle_name: Optional[str] = None
    last_name: Optional[str] = None
    suffix: Optional[str] = None
    dob: Optional[str] = None
    gender: Optional[Gender] = None
    taxvat: Optional[str] = None
    website_id: Optional[str] = None
    group_id: int = 1
    company: Optional[str] = None
    allow_remote_assistance: bool = False
    created_at: str
    version: int


class CustomerPage(BaseModel):
    items: list[Customer]
    next_cursor: Optional[str]


class OrderStats(BaseModel):
    count: int
    lifetime_sales: str
    average_sale: str


class OrderLine(BaseModel):
    sku: str
    qty: int
    name: Optional[str] = None
    price: Optional[str] = None


class Order(BaseModel):
    id: str
    status: str
    total: str
    created_at: str
    items: list[OrderLine] = []
    placed_by: Optional[str] = None


class CartItem(BaseModel):
    sku: str
    name: Optional[str] = None
    qty: int
    price: Optional[str] = None


class Cart(BaseModel):
    items: list[CartItem]


class Activity(BaseModel):
    online: bool
    last_login_at: Optional[str]
    last_logout_at: Optional[str]
    sessions: list[OnlineRow]


class LedgerEntry(BaseModel):
    id: str
    at: str
    amount: str
    reason: str
    balance: str
    actor: Optional[str] = None


class Balance(BaseModel):
    balance: str
    ledger: list[LedgerEntry] = []


class PointsEntry(BaseModel):
    id: str
    at: str
    points: int
    reason: str
    balance: int
    actor: Optional[str] = None


class PointsBalance(BaseModel):
    balance: int
    ledger: list[PointsEntry] = []


class NewsletterState(BaseModel):
    subscriptions: dict[str, bool] = Field(default_factory=dict, description="website_id -> subscribed")
    history: list[dict] = Field(default_factory=list, description="Newsletters sent")


class WishlistItem(BaseModel):
    sku: str
    added_at: str


class Review(BaseModel):
    id: str
    sku: str
    rating: Optional[int] = None
    status: str
    created_at: str


class CustomerProfile(BaseModel):
    """Everything on the Customer Information page, from one read."""

    customer: Customer
    activity: Activity
    addresses: list[Address]
    default_billing: Optional[Address]
    default_shipping: Optional[Address]
    order_stats: OrderStats
    orders: list[Order]
    returns: list[dict]
    cart: Cart
    wishlist: list[WishlistItem]
    gift_registries: list[dict]
    store_credit: Balance
    reward_points: PointsBalance
    newsletter: NewsletterState
    billing_agreements: list[dict]
    reviews: list[Review]


class AuditEntry(BaseModel):
    id: str
    at: str
    actor: str
    action: str
    changes: dict[str, dict] = Field(default_factory=dict, description="field -> {before, after}")


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_cursor: Optional[str]


GridSort = Literal["-created_at", "created_at", "last_name", "-last_name", "email", "-email"]
