"""Login as Customer, Force Sign-In and Reset Password (SPEC 3.3). No AWS calls: stores are ports.

- Secrets and tokens are `secrets.token_urlsafe(32)`; only their SHA-256 is stored. Expiry is
  checked when they are used (`valid_until`), TTL only cleans up.
- Login as Customer: only with the customer's consent (`allow_remote_assistance`), 60 s, single
  use; redeeming binds the storefront session to the customer as assisted by the admin.
- Force Sign-In: revokes every outstanding secret, then signs out every session bound to the
  customer like a logout at now (logic/presence.py forced_sign_out).
- Reset Password: one request per customer per 10 minutes; the token travels only in the event
  for the mailer.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from shopadmin.clock import to_iso
from shopadmin.errors import (
    Busy,
    ChangeConflict,
    CustomerGone,
    Forbidden,
    NotFound,
    RateLimited,
    TooManyRequests,
    Unavailable,
)
from shopadmin.logic.audit import audit_entry
from shopadmin.logic.presence import assisted_login, forced_sign_out
from shopadmin.models.credentials import (
    AssistedSession,
    CustomerFacts,
    ForceSignInDone,
    IssuedSecret,
    LoginAsStarted,
    PasswordResetRequested,
)
from shopadmin.models.presence import PresenceState
from shopadmin.models.records import AuditRecord
from shopadmin.observability import logger
from shopadmin.retry import Backoff, pause

LOGIN_AS = "login-as"
PASSWORD_RESET = "password-reset"
LOGIN_AS_VALID_MS = 60_000
PASSWORD_RESET_VALID_MS = 2 * 3600_000
PASSWORD_RESET_EVERY_MS = 10 * 60_000  # one request per customer per 10 minutes
PRESENCE_ATTEMPTS = 5
PRESENCE_BACKOFF = Backoff(attempts=PRESENCE_ATTEMPTS, base_seconds=0.02, cap_seconds=0.5)


class NotRedeemable(NotFound):
    """One answer for an unknown, expired, already used or foreign secret: no hint which."""

    code = "secret_not_redeemable"

    def __init__(self) -> None:
        super().__init__("This secret is unknown, expired or already used")


class CredentialsPort(Protocol):
    def customer(self, customer_id: str) -> CustomerFacts | None: ...
    def issue_login_as(self, issued: IssuedSecret, audit: AuditRecord) -> None: ...
    def issue_password_reset(self, issued: IssuedSecret, audit: AuditRecord, allowed_if_last_before: int) -> None: ...
    def withdraw_password_reset(self, issued: IssuedSecret, audit: AuditRecord) -> None: ...
    def consume(self, kind: str, secret_hash: str, now_ms: int,
                website_id: str | None = None) -> IssuedSecret | None: ...
    def revoke_all(self, customer_id: str, now_ms: int) -> int: ...
    def append_audit(self, customer_id: str, audit: AuditRecord) -> None: ...
    def touch_activity(self, customer_id: str, field_name: str, at_ms: int) -> bool: ...


class PresencePort(Protocol):
    def get(self, session_id: str) -> PresenceState | None: ...
    def save(self, state: PresenceState, before: PresenceState | None, interval_minutes: int,
             also_bound: frozenset[str] = frozenset(), activity: Mapping[str, Mapping[str, int]] | None = None
             ) -> bool: ...


class EventBusPort(Protocol):
    def publish(self, detail_type: str, detail: dict[str, Any]) -> None: ...


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def publish_event(bus: EventBusPort, detail_type: str, detail: dict[str, Any]) -> None:
    try:
        bus.publish(detail_type, detail)
    except Exception as error:  # noqa: BLE001 - the type only: the detail may hold a token
        logger.error("admin event not published", extra={"detail_type": detail_type,
                                                          "error_type": type(error).__name__})
        raise Unavailable("The event bus did not take the event; try again") from None


# ------------------------------------------------------------------ Login as Customer
def start_login_as(customer_id: str, store: CredentialsPort, bus: EventBusPort, admin: str,
                   now_ms: int) -> LoginAsStarted:
    facts = store.customer(customer_id)
    if facts is None:
        raise NotFound("No such customer")
    if not facts.allow_remote_assistance:
        raise Forbidden("The customer has not allowed remote shopping assistance",
                        [{"field": "customer.allow_remote_assistance",
                          "reason": "must be true to log in as the customer"}])
    secret = new_secret()
    issued = IssuedSecret(LOGIN_AS, secret_hash(secret), customer_id, facts.website_id, admin, now_ms,
                          now_ms + LOGIN_AS_VALID_MS)
    expires_at = to_iso(issued.valid_until)
    audit = audit_entry(admin, "login_as.started", now_ms,
                        {"login_as_expires_at": {"before": None, "after": expires_at}})
    try:
        store.issue_login_as(issued, audit)
    except ChangeConflict:  # consent withdrawn or customer deleted since the read
        if store.customer(customer_id) is None:
            raise NotFound("No such customer") from None
        raise Forbidden("The customer has not allowed remote shopping assistance",
                        [{"field": "customer.allow_remote_assistance", "reason": "must be true"}]) from None
    # The secret is returned only after the event is out, so the customer can always be told.
    publish_event(bus, "customer.login_as_started", {"customer_id": customer_id, "website_id": facts.website_id,
                                                "admin": admin, "expires_at": expires_at})
    return LoginAsStarted(secret=secret, expires_at=expires_at)


def redeem_login_as(secret: str, session_id: str | None, store: CredentialsPort, presence: PresencePort,
                    website_scope: str | None, now_ms: int, interval_minutes: int) -> AssistedSession:
    """Spend the secret once, then bind the session to the customer, assisted by the admin.

    A storefront token bound to a website redeems only that website's secrets, and a session that
    already belongs to a website takes only that website's secrets (SPEC 6); a refused attempt
    does not spend the secret.
    """
    scope = website_scope
    if session_id is not None:
        existing = presence.get(session_id)
        if existing is not None:
            if website_scope is not None and existing.website_id != website_scope:
                raise NotRedeemable()
            scope = existing.website_id
    issued = store.consume(LOGIN_AS, secret_hash(secret), now_ms, scope)
    if issued is None:
        raise NotRedeemable()
    facts = store.customer(issued.customer_id)
    if facts is None or not facts.allow_remote_assistance:
        raise NotRedeemable()  # deleted, or consent withdrawn since the secret was issued
    session = session_id or f"assist-{uuid.uuid4().hex}"

    def build(state: PresenceState | None) -> PresenceState | None:
        if state is not None and state.website_id != facts.website_id:
            raise NotRedeemable()  # the session was taken by another website meanwhile
        return assisted_login(state, session_id=session, website_id=facts.website_id, customer_id=facts.customer_id,
                              snapshot=facts.snapshot, admin=issued.issued_by, at=now_ms,
                              interval_minutes=interval_minutes)

    try:
        # an assisted session is a login of the customer: Last Logged In shows it (as Magento's log does)
        save_presence(session, build, presence, interval_minutes, {facts.customer_id: {"last_login_at": now_ms}})
    except CustomerGone:
        raise NotRedeemable() from None  # deleted between the read and the binding: nothing was written
    return AssistedSession(session_id=session, customer_id=facts.customer_id, assisted_by=issued.issued_by)


def save_presence(session_id: str, build: Callable[[PresenceState | None], PresenceState | None],
                  presence: PresencePort, interval_minutes: int,
                  activity: Mapping[str, Mapping[str, int]] | None = None) -> bool:
    """Versioned save with re-read on conflict (as ingest does); False when `build` changes nothing.

    `activity` (customer id -> last login/logout times) is written in the row's transaction.
    """
    for attempt in range(PRESENCE_ATTEMPTS):
        if attempt:
            pause(PRESENCE_BACKOFF, attempt - 1)  # let the concurrent writer finish before re-reading
        current = presence.get(session_id)
        updated = build(current)
        if updated is None or updated == current:
            return False
        if presence.save(updated, current, interval_minutes, activity=activity):
            return True
    raise Busy("The session kept changing; try again")


# ------------------------------------------------------------------ Force Sign-In
def sign_out_sessions(customer_id: str, session_ids: list[str], presence: PresencePort, now_ms: int,
                      interval_minutes: int) -> int:
    """Every session still bound to the customer, signed out as of now; returns how many."""
    signed_out = 0
    for session_id in dict.fromkeys(session_ids):
        if save_presence(session_id, lambda state: forced_sign_out(state, customer_id, now_ms), presence,
                         interval_minutes):
            signed_out += 1
    return signed_out


def force_sign_in(customer_id: str, store: CredentialsPort, session_ids: Callable[[str], list[str]],
                  presence: PresencePort, bus: EventBusPort, admin: str, now_ms: int,
                  interval_minutes: int) -> ForceSignInDone:
    if store.customer(customer_id) is None:
        raise NotFound("No such customer")
    revoked = store.revoke_all(customer_id, now_ms)  # first: no secret can start a new session afterwards
    signed_out = sign_out_sessions(customer_id, session_ids(customer_id), presence, now_ms, interval_minutes)
    try:
        store.touch_activity(customer_id, "last_logout_at", now_ms)  # Last Logged Out: now, sessions or not
        store.append_audit(customer_id, audit_entry(admin, "force_sign_in", now_ms, {
            "signed_in_sessions": {"before": signed_out, "after": 0},
            "outstanding_secrets": {"before": revoked, "after": 0},
        }))
    except CustomerGone:
        raise NotFound("No such customer") from None  # deleted meanwhile: nothing more under its id
    publish_event(bus, "customer.force_sign_in", {"customer_id": customer_id, "admin": admin, "at": to_iso(now_ms),
                                             "sessions_signed_out": signed_out})
    return ForceSignInDone(customer_id=customer_id, sessions_signed_out=signed_out, secrets_revoked=revoked)


# ------------------------------------------------------------------ Reset Password
def request_password_reset(customer_id: str, store: CredentialsPort, bus: EventBusPort, admin: str,
                           now_ms: int) -> PasswordResetRequested:
    facts = store.customer(customer_id)
    if facts is None:
        raise NotFound("No such customer")
    token = new_secret()
    issued = IssuedSecret(PASSWORD_RESET, secret_hash(token), customer_id, facts.website_id, admin, now_ms,
                          now_ms + PASSWORD_RESET_VALID_MS)
    expires_at = to_iso(issued.valid_until)
    audit = audit_entry(admin, "password_reset.requested", now_ms,
                        {"password_reset_expires_at": {"before": None, "after": expires_at}})
    try:
        store.issue_password_reset(issued, audit, now_ms - PASSWORD_RESET_EVERY_MS)
    except RateLimited as limited:
        last = limited.last_at if limited.last_at is not None else now_ms
        wait_ms = last + PASSWORD_RESET_EVERY_MS - now_ms + 1
        raise TooManyRequests("A password reset was already requested for this customer in the last 10 minutes",
                              retry_after_seconds=math.ceil(wait_ms / 1000),
                              details=[{"field": "customer_id", "reason": "one request per 10 minutes"}]) from None
    except ChangeConflict:
        raise NotFound("No such customer") from None
    try:
        # the only place the token goes: the mailer builds the reset link from it
        publish_event(bus, "customer.password_reset_requested", {
            "customer_id": customer_id, "website_id": facts.website_id, "token": token, "expires_at": expires_at,
            "requested_by": admin})
    except Unavailable:
        store.withdraw_password_reset(issued, audit)  # nothing was sent: the request may be made again
        raise
    return PasswordResetRequested(customer_id=customer_id, expires_at=expires_at)


def use_password_reset(token: str, store: CredentialsPort, now_ms: int) -> str:
    """The read-time check of a reset token (single use): the customer id, or NotRedeemable when it
    is unknown, used, revoked or older than 2 hours, whatever TTL has or has not removed yet.

    For the shop's password form; SPEC section 4 has no HTTP route for it.
    """
    issued = store.consume(PASSWORD_RESET, secret_hash(token), now_ms)
    if issued is None:
        raise NotRedeemable()
    return issued.customer_id
