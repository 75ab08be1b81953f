"""Presence of one storefront session (one row of Customers Now Online)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import Field

from shopadmin.models.base import Model

# The account fields a Now Online row shows; they change with the account, in the same write.
SNAPSHOT_FIELDS = ("first_name", "last_name", "email", "company")


@dataclass(frozen=True)
class CustomerSnapshot:
    """The customer fields denormalized into a presence row (refreshed on login and profile save)."""

    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    company: str | None = None
    # the profile version it was copied from (never stored on the row): a new binding is written
    # only while the profile still has it, so a save racing with a login cannot leave an old name
    version: int | None = field(default=None, compare=False)


# Runs kept per session (SPEC 10): arrival order cannot change the row while the session's arrived
# events form at most this many runs; past it the oldest run is dropped (an event landing in it
# starts a run of its own). 64 runs of 15 minutes are 16 hours of on-and-off browsing; about 5 KB.
MAX_ACTIVITY_RUNS = 64
# Sign-in facts kept per run (its newest by time): who was signed in when, for the cart, order and
# draft changes of events arriving late (logic/presence.py::signed_in_at). A run with more logins
# and logouts than this forgets its oldest ones; most runs hold one or two.
MAX_SIGN_INS_PER_RUN = 8


@dataclass(frozen=True)
class SignIn:
    """A sign-in fact of a session: a login or registration (customer_id), a logout (None), or an
    assisted login (assisted_by = the admin). At equal times the order is fixed, not the arrival."""

    at: int
    customer_id: str | None
    assisted_by: str | None = None

    def order(self) -> tuple[int, int, str, str]:
        return (self.at, self.customer_id is None, self.customer_id or "", self.assisted_by or "")


@dataclass(frozen=True)
class ActivityRun:
    """A maximal span of a session's activity whose gaps are within the interval, and its sign-in
    facts (oldest first by `SignIn.order`, at most MAX_SIGN_INS_PER_RUN)."""

    start: int
    end: int
    sign_ins: tuple[SignIn, ...] = ()

    @property
    def sign_in(self) -> SignIn | None:
        """The run's newest sign-in fact: the one the row shows when this run is the newest."""
        return self.sign_ins[-1] if self.sign_ins else None


@dataclass(frozen=True)
class PresenceState:
    """Everything stored for one session. Times are epoch milliseconds.

    Field groups carry their own timestamps so that late events only overwrite what is older:
    `last_activity` orders activity and `last_url`; `bound_at` orders the customer binding
    (login, registration, logout, end by inactivity); `profile_at` orders the name snapshot.
    """

    session_id: str
    website_id: str
    last_activity: int
    session_start: int
    last_url: str | None = None
    customer_id: str | None = None
    customer: CustomerSnapshot = CustomerSnapshot()
    bound_at: int = 0
    signed_out: bool = False
    profile_at: int = 0
    assisted_by: str | None = None
    runs: tuple[ActivityRun, ...] = ()  # oldest first; the row's fields above are read off the last one
    signed_out_at: int = 0  # Force Sign-In / Delete Customer: sign-in facts before it are void
    # epoch s: no guest cart line of this session expires later (0: the session never wrote one, so a
    # sign-in needs no read of the guest cart); None: not known (a row written before this was kept)
    guest_cart_until: int | None = 0
    version: int | None = None  # optimistic lock, owned by the data layer

    @property
    def type(self) -> str:
        return "customer" if self.customer_id else "visitor"

    @property
    def visible(self) -> bool:
        """A logout hides the row at once, until a later event shows the session again (as a visitor)."""
        return not (self.signed_out and self.bound_at >= self.last_activity)

    def evolve(self, **changes: Any) -> PresenceState:
        return replace(self, **changes)


SAVED = "saved"
LOST_RACE = "lost race"  # the row's version moved: read it again and fold again
WriteResult = str | Exception  # SAVED, LOST_RACE, CustomerGone, ProfileChanged, or what the write failed with


@dataclass(frozen=True)
class PresenceWrite:
    """One session's row to write (`state`, read as `before`) and what goes into its transaction.

    also_bound: customers whose logins were folded in (each gets a profile check and a SESSION#
    reference), besides a new binding of the row; activity: customer id -> {"last_login_at" |
    "last_logout_at": epoch ms} to move forward (dal/account_activity.py).
    """

    state: PresenceState
    before: PresenceState | None
    also_bound: frozenset[str] = frozenset()
    activity: Mapping[str, Mapping[str, int]] = field(default_factory=dict)



class OnlineRow(Model):
    """One row of the Now Online grid (SPEC 2.2, 4)."""

    session_id: str
    customer_id: str | None = Field(description="Customer id; null for visitors")
    type: str = Field(description="customer | visitor")
    first_name: str | None
    last_name: str | None
    email: str | None
    company: str | None
    website_id: str
    last_activity: str = Field(description="ISO-8601 UTC time of the last state-changing event")
    session_start: str
    last_url: str | None
    assisted_by: str | None = Field(description="Admin who started this session with Login as Customer")
