"""Login as Customer, Force Sign-In and Reset Password (SPEC 3.3), and the storefront's redeem."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from shopadmin import wiring
from shopadmin.api.auth import require_scope
from shopadmin.api.idempotency import IdempotencyKey, respond_once
from shopadmin.api.resolver import error_responses, secured
from shopadmin.logic import credentials
from shopadmin.models.credentials import (
    AssistedSession,
    ForceSignInDone,
    LoginAsRedeem,
    LoginAsStarted,
    NoBody,
    PasswordResetRequested,
)

router = Router()  # admin actions (CustomerCredentialsFunction)
redeem_router = Router()  # the storefront redeems a login-as secret (StorefrontLoginAsFunction)
TAG = "Admin actions"
CustomerId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:@-]+$")]
NO_STORE = {"Cache-Control": "no-store"}  # a secret must not be kept by any cache


@router.post("/customers/<customer_id>/login-as", summary="Login as Customer", tags=[TAG],
             security=secured("customers:assist"),
             description="Only when the customer allows remote shopping assistance (403 otherwise). Returns a "
                         "single-use secret valid 60 s (stored only as a SHA-256 hash) for the storefront to redeem "
                         "at POST /storefront/login-as/redeem; emits `customer.login_as_started` "
                         "so the customer can be "
                         "told, audited as login_as.started. Orders placed in the session carry "
                         "`placed_by` \"admin <your JWT subject>\". `Idempotency-Key` is not replayed here: the "
                         "secret is never stored in plain text, so a retry issues a new one.",
             responses={201: {"description": "The secret and when it expires"}, **error_responses(404, 503)})
def post_login_as(customer_id: CustomerId) -> Response[LoginAsStarted]:
    caller = require_scope(router, "customers:assist")
    started = credentials.start_login_as(customer_id, wiring.credential_store(), wiring.admin_events(),
                                         caller.subject, wiring.now())
    return Response(status_code=201, content_type="application/json", body=started, headers=NO_STORE)


@router.post("/customers/<customer_id>/force-sign-in", summary="Force Sign-In", tags=[TAG],
             security=secured("customers:credentials"),
             description="Revokes the customer's outstanding password-reset tokens and login-as secrets and signs "
                         "out every session bound to the customer as of now: they leave Now Online at once and the "
                         "session check says signed out until the customer logs in again (a login event that "
                         "occurred before this call never signs a session back in). Emits `customer.force_sign_in`; "
                         "audited as force_sign_in.",
             responses={200: {"description": "How many sessions and secrets were ended"},
                        **error_responses(404, 503)})
def post_force_sign_in(customer_id: CustomerId, idempotency_key: IdempotencyKey = None) -> Response[ForceSignInDone]:
    caller = require_scope(router, "customers:credentials")
    config = wiring.online_config().get()

    def act() -> tuple[int, ForceSignInDone]:
        return 200, credentials.force_sign_in(customer_id, wiring.credential_store(),
                                              wiring.customer_accounts().session_ids, wiring.presence_store(),
                                              wiring.admin_events(), caller.subject, wiring.now(),
                                              config.online_minutes_interval)

    return respond_once(router, idempotency_key, route="POST /customers/{customer_id}/force-sign-in",
                        customer_id=customer_id, subject=caller.subject, body=NoBody(), action=act)


@router.post("/customers/<customer_id>/password-reset", summary="Reset Password", tags=[TAG],
             security=secured("customers:credentials"),
             description="Creates a reset token valid 2 hours (stored only as a SHA-256 hash) and emits "
                         "`customer.password_reset_requested` with it for the mailer; the response never holds it. "
                         "One request per customer per 10 minutes: later ones get 429 with Retry-After. "
                         "Audited as password_reset.requested.",
             responses={202: {"description": "The reset mail is on its way"}, **error_responses(404, 503)})
def post_password_reset(customer_id: CustomerId,
                        idempotency_key: IdempotencyKey = None) -> Response[PasswordResetRequested]:
    caller = require_scope(router, "customers:credentials")

    def act() -> tuple[int, PasswordResetRequested]:
        return 202, credentials.request_password_reset(customer_id, wiring.credential_store(), wiring.admin_events(),
                                                       caller.subject, wiring.now())

    return respond_once(router, idempotency_key, route="POST /customers/{customer_id}/password-reset",
                        customer_id=customer_id, subject=caller.subject, body=NoBody(), action=act)


@redeem_router.post("/storefront/login-as/redeem", summary="Redeem a login-as secret", tags=["Storefront"],
                    security=secured("sessions:write"),
                    description="Spends the secret once and signs the session (`session_id`, or a new one) in as the "
                                "customer, assisted by the admin: the row shows in Now Online at once with "
                                "`assisted_by`. An unknown, expired or already used secret (or one of another "
                                "website, for a token bound to a website or a session of another website) gets "
                                "the same 404.",
                    responses={201: {"description": "The assisted session"}, **error_responses(400, 404)})
def post_redeem(body: LoginAsRedeem) -> Response[AssistedSession]:
    caller = require_scope(redeem_router, "sessions:write")
    config = wiring.online_config().get()
    session = credentials.redeem_login_as(body.secret, body.session_id, wiring.credential_store(),
                                          wiring.presence_store(), caller.website_id, wiring.now(),
                                          config.online_minutes_interval)
    return Response(status_code=201, content_type="application/json", body=session, headers=NO_STORE)
