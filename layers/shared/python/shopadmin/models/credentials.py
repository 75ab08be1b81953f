"""Admin actions on a customer's credentials and account (SPEC 3.3): Login as Customer, Force
Sign-In, Reset Password, Delete Customer. API shapes (pydantic) and the plain records the logic
and the dal exchange."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from shopadmin.models.base import Model
from shopadmin.models.presence import CustomerSnapshot

SessionId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")]
# secrets.token_urlsafe(32) gives 43 characters; the bounds only keep junk out
Secret = Annotated[str, StringConstraints(min_length=16, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


# ------------------------------------------------------------------ API shapes
class LoginAsStarted(Model):
    secret: str = Field(description="Single use, valid 60 s; give it to the storefront, which redeems it")
    expires_at: str = Field(description="ISO-8601 UTC")


class LoginAsRedeem(Model):
    model_config = ConfigDict(extra="forbid")

    secret: Secret
    session_id: SessionId | None = Field(default=None, description="The storefront session to sign in; "
                                                                      "omitted: a new session id is assigned")


class AssistedSession(Model):
    session_id: str
    customer_id: str
    assisted_by: str = Field(description="JWT subject of the admin who started Login as Customer")


class ForceSignInDone(Model):
    customer_id: str
    sessions_signed_out: int = Field(description="Sessions that were bound to the customer")
    secrets_revoked: int = Field(description="Outstanding password-reset tokens and login-as secrets revoked")


class PasswordResetRequested(Model):
    customer_id: str
    status: Literal["requested"] = "requested"
    expires_at: str = Field(description="When the reset link stops working (the token itself goes to the mailer only)")


class NoBody(Model):
    """The idempotency payload of POST actions that take no request body (any body sent is ignored)."""

    model_config = ConfigDict(extra="forbid")


class DeletionInProgress(Model):
    customer_id: str
    status: Literal["in_progress"] = "in_progress"
    message: str = "The account is gone; its remaining items are being cleaned up. Send DELETE again to continue."


# ------------------------------------------------------------------ records (logic <-> dal)
@dataclass(frozen=True)
class IssuedSecret:
    """A login-as secret or password-reset token as stored: its SHA-256 hash, never the value."""

    kind: str  # "login-as" | "password-reset"
    secret_hash: str
    customer_id: str
    website_id: str
    issued_by: str
    created_at: int  # epoch ms
    valid_until: int  # epoch ms, checked at read time


@dataclass(frozen=True)
class CustomerFacts:
    """What the admin actions need to know about a customer (one GetItem of the profile)."""

    customer_id: str
    website_id: str
    allow_remote_assistance: bool
    snapshot: CustomerSnapshot
    email: str | None


@dataclass(frozen=True)
class DeletionJob:
    """The tombstone of a deleted customer and how far the clean-up got (no personal data)."""

    customer_id: str
    deleted_at: int
    deleted_by: str
    phase: str  # "partition" | "audit" | "done"
    cursor: str | None = None
