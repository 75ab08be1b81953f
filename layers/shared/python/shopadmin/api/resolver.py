"""The one way to build an API resolver: validation on, OpenAPI described, errors mapped.

Routes live in `api/routes/*.py` as Powertools Routers, so each function includes only its own
routers while the docs function includes all of them and publishes one complete OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from re import Match
from typing import Any
from urllib.parse import quote, unquote

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse, OpenAPIResponseHeader

from shopadmin.api.errors import (
    UNSUPPORTED_MEDIA_TYPE,
    ErrorOrGatewayMessage,
    ErrorResponse,
    GatewayMessage,
    error_body,
    parse_json_body,
    parse_json_body_any_text,
    register_error_handlers,
)
from shopadmin.errors import ErrorDetails

SECURITY_SCHEME = "bearerJwt"

_ERROR_DESCRIPTIONS = {
    400: "Body is not valid JSON, or nests deeper than 32 levels",
    401: "Missing or invalid bearer token, or one whose sub is missing or empty",
    403: "The token lacks the route's scope or website",
    404: "Not found",
    409: "The resource changed since it was read, or already exists",
    412: "If-Match does not match",
    422: "A field breaks the schema; details name it",
    428: "A precondition (If-Match or version) is required",
    413: "Request body too large (API Gateway)",
    415: "The body is not application/json",
    429: "Too many requests",
    503: "The store is busy (throttled, or too many concurrent changes to the same item) past the "
         "retries; retry after Retry-After seconds (a write with the same Idempotency-Key)",
}
# Every route reads or writes the store, so every route can answer 503 "busy" (api/errors.py).
_RETRY_AFTER: dict[str, OpenAPIResponseHeader] = {
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer", "minimum": 1}}}
# Answered by API Gateway before any handler runs, on every route.
_GATEWAY_STATUSES = {413: GatewayMessage, 401: ErrorOrGatewayMessage, 403: ErrorOrGatewayMessage,
                     429: ErrorOrGatewayMessage}


def error_responses(*statuses: int) -> dict[int, OpenAPIResponse]:
    """OpenAPI responses for the errors a route can return (401/403/422/503 are always possible)."""
    # a route that reads a body (it can answer 400) can also answer 415
    wanted = sorted({401, 403, 413, 422, 429, 503, *statuses} | ({415} if 400 in statuses else set()))
    responses: dict[int, OpenAPIResponse] = {
        status: {"description": _ERROR_DESCRIPTIONS[status],
                 "content": {"application/json": {"model": _GATEWAY_STATUSES.get(status, ErrorResponse)}}}
        for status in wanted
    }
    responses[503]["headers"] = _RETRY_AFTER
    return responses


NO_CONTENT: dict[int, OpenAPIResponse] = {204: {"description": "Done; no body", "content": {}}}


def secured(scope: str) -> list[dict[str, list[str]]]:
    """The OpenAPI security requirement of a route (the template gives API Gateway the same scope)."""
    return [{SECURITY_SCHEME: [scope]}]


# What Powertools' route regex accepts in a path segment (api_gateway._SAFE_URI, _UNSAFE_URI, \w).
_ROUTABLE = "/-._~()'!*:@,;=+&$<> []{}|^"


class _DecodedPathResolver(APIGatewayHttpResolver):
    """Routes the path HTTP API hands over percent-DECODED (rawPath), whatever characters it holds.

    Powertools matches rawPath against a regex of URL-safe characters, so a decoded segment holding
    e.g. a control character or "?" matched no route (404 "No such route") on AWS. The path is
    re-encoded for matching, and each matched parameter decoded again: handlers get the exact value.
    """

    def resolve(self, event: Any, context: Any) -> dict[str, Any]:
        if isinstance(event, dict) and isinstance(event.get("rawPath"), str):
            event = {**event, "rawPath": quote(event["rawPath"], safe=_ROUTABLE)}
        return super().resolve(event, context)

    def _convert_matches_into_route_keys(self, match: Match[str]) -> dict[str, str]:
        return {name: unquote(value) for name, value in match.groupdict().items()}



def _token_without_subject(event: Any) -> bool:
    """A route behind the JWT authorizer called with a token whose `sub` is missing or blank.

    API Gateway's JWT authorizer checks signature, issuer, audience, expiry and scopes, not `sub`.
    Public routes (no authorizer: console, docs) have no claims and are not concerned.
    """
    if not isinstance(event, Mapping):
        return False
    jwt = ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt")
    if not isinstance(jwt, Mapping):
        return False
    subject = (jwt.get("claims") or {}).get("sub")
    return not (isinstance(subject, str) and subject.strip())


_NO_SUBJECT: tuple[int, str, str, ErrorDetails] = (
    401, "unauthorized", "The bearer token names no subject",
    [{"field": "token.sub", "reason": "is missing or empty", "code": "required"}])


def _raw_error(status: int, code: str, message: str, details: ErrorDetails) -> dict[str, Any]:
    """An error answered before routing, in the shape a Lambda proxy integration returns."""
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": error_body(status, code, message, details), "isBase64Encoded": False}


def _body_media_type(event: Any) -> str | None:
    """The lower-cased media type of a request's body ("" when undeclared); None for no body."""
    if not isinstance(event, Mapping) or not event.get("body"):
        return None
    headers = event.get("headers") or {}
    content_type = next((str(v) for k, v in headers.items() if str(k).lower() == "content-type"), "")
    return content_type.split(";")[0].strip().lower()  # parameters (charset) are fine


def _media_type_lowered(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """Media types are case-insensitive (RFC 9110); Powertools compares "application/json" as written."""
    headers = event.get("headers") or {}
    lowered = {k: (v.lower() if str(k).lower() == "content-type" and isinstance(v, str) else v)
               for k, v in headers.items()}
    return {**event, "headers": lowered}


class NoStoreResolver(_DecodedPathResolver):
    """Who before what (SPEC 10): a token without a usable subject answers 401 before the path,
    query or body is looked at, so no validation error can tell such a caller anything. Then a body
    that is not declared JSON answers 415 (SPEC 7), before Powertools parses it as a form.

    Every JSON answer carries `Cache-Control: no-store` (SPEC 6): profiles, lists and errors may hold
    personal data, and no browser or proxy cache should keep any of it. Set here, after routing and
    error mapping, so no route can forget it; a route's own Cache-Control (if any) is kept."""

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        result: dict[str, Any]
        media_type = _body_media_type(event)
        if _token_without_subject(event):
            result = _raw_error(*_NO_SUBJECT)
        elif media_type is not None and media_type != "application/json":
            # Powertools would parse a form body itself and validate its keys as fields: JSON only
            result = _raw_error(*UNSUPPORTED_MEDIA_TYPE)
        else:
            result = super().resolve(event if media_type is None else _media_type_lowered(event), context)
        headers = result.setdefault("headers", {})
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
        has_cache_control = any(k.lower() == "cache-control" for k in headers)
        if "json" in str(content_type).lower() and not has_cache_control:
            headers["Cache-Control"] = "no-store"
        return result


def create_app(*routers: Router, refuse_characters: bool = True) -> APIGatewayHttpResolver:
    """The resolver of one function. One body parser for every JSON route: nesting is bounded before
    json.loads (SPEC 6), then every string's characters are checked (SPEC 10) unless the routes check
    them item by item (`refuse_characters=False`: the event intake rejects only the events concerned)."""
    parser = parse_json_body if refuse_characters else parse_json_body_any_text
    app = NoStoreResolver(enable_validation=True, json_body_deserializer=parser)
    register_error_handlers(app)
    for router in routers:
        app.include_router(router)
    return app


def time_left(router: Router, reserve_ms: int) -> Callable[[], bool]:
    """A check: True while this invocation has more than `reserve_ms` of its Lambda timeout left
    (always True outside Lambda), for routes that work in steps and stop starting new ones in time."""
    context = getattr(router, "lambda_context", None)

    def has_time() -> bool:
        return context is None or bool(context.get_remaining_time_in_millis() > reserve_ms)

    return has_time
