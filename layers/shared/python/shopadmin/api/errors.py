"""Errors mapped to HTTP once, for every function: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from pydantic import ConfigDict, Field, RootModel

from shopadmin.dal.dynamo_errors import domain_error, error_code
from shopadmin.errors import DomainError, ErrorDetails
from shopadmin.models.base import Model
from shopadmin.models.json_limits import MAX_JSON_DEPTH, json_nesting_exceeds
from shopadmin.models.text import first_refused
from shopadmin.observability import logger


class ErrorDetail(Model):
    field: str = Field(description="Where: body.x, query.x, path.x, header.x")
    reason: str


class ErrorBody(Model):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(Model):
    error: ErrorBody


class GatewayMessage(Model):
    """The body API Gateway itself answers with (authorizer 401/403, throttling 429, 413)."""

    message: str


class ErrorOrGatewayMessage(RootModel[ErrorResponse | GatewayMessage]):
    """401/403/429 come from the handler (error) or from API Gateway before it (message)."""

    model_config = ConfigDict(defer_build=True)  # a root model cannot derive from models/base.py::Model


class BodyTooDeep(DomainError):
    status, code = 400, "invalid_json"


class TextRefused(DomainError):
    status, code = 422, "validation_error"


def parse_json_body_any_text(text: str) -> Any:
    """A JSON body, depth first, then json (for the event intake, which refuses characters per event).

    Nesting is checked before parsing, so a body nested thousands of levels deep costs one scan
    and answers 400 instead of exhausting the parser's or the validator's recursion.
    """
    if json_nesting_exceeds(text):
        raise BodyTooDeep(f"The request body nests arrays or objects deeper than {MAX_JSON_DEPTH} levels",
                          [{"field": "body", "reason": f"nested deeper than {MAX_JSON_DEPTH} levels"}])
    return json.loads(text)


def parse_json_body(text: str) -> Any:
    """Every admin JSON route's body goes through here (the resolver's deserializer): depth, json,
    then the characters of every string (SPEC 10: 422 naming the field, before any model or write)."""
    body = parse_json_body_any_text(text)
    refused = first_refused(body, "body")
    if refused:
        field, reason = refused
        raise TextRefused("A text field holds a character that is not allowed", [{"field": field, "reason": reason}])
    return body


Handler = TypeVar("Handler", bound=Callable[..., Any])


def error_response(status: int, code: str, message: str, details: ErrorDetails | None = None,
                   headers: dict[str, str] | None = None) -> Response[str]:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return Response(status_code=status, content_type="application/json", body=json.dumps(body), headers=headers)


def _field(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location)


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    def handles(exc_class: type[Exception]) -> Callable[[Handler], Handler]:
        """app.exception_handler, typed (Powertools' own decorator is not annotated)."""
        def register(handler: Handler) -> Handler:
            app.exception_handler(exc_class)(handler)
            return handler
        return register

    @handles(RequestValidationError)
    def _validation(error: RequestValidationError) -> Response[str]:
        problems = error.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return error_response(400, "invalid_json", "The request body is not valid JSON",
                                  [{"field": "body", "reason": "JSON decode error"}])
        # pydantic prefixes a validator's own message with "Value error, ": the reason is the message alone
        details = [{"field": _field(p.get("loc", ())),
                    "reason": str(p.get("msg", "invalid")).removeprefix("Value error, ")} for p in problems]
        return error_response(422, "validation_error", "The request does not match the schema", details)

    def _unsupported_media_type() -> Response[str]:
        return error_response(415, "unsupported_media_type", "Send the body as application/json",
                              [{"field": "header.content-type", "reason": "must be application/json"}])

    @handles(RequestUnsupportedContentType)
    def _media_type(_: RequestUnsupportedContentType) -> Response[str]:
        return _unsupported_media_type()

    def _sent_json() -> bool:
        content_type = (app.current_event.headers or {}).get("content-type", "") or ""
        media = content_type.split(";")[0].strip().lower()
        return media in ("", "application/json") or media.endswith("+json")

    @handles(UnicodeDecodeError)
    def _not_utf8(_: UnicodeDecodeError) -> Response[str]:
        return error_response(400, "invalid_json", "The request body is not UTF-8 JSON",
                              [{"field": "body", "reason": "not UTF-8"}])

    @handles(DomainError)
    def _domain(error: DomainError) -> Response[str]:
        retry_after = getattr(error, "retry_after_seconds", None)  # TooManyRequests
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return error_response(error.status, error.code, error.message, error.details, headers)

    @app.not_found
    def _not_found(_: NotFoundError) -> Response[str]:
        return error_response(404, "not_found", "No such route")

    @handles(Exception)
    def _unexpected(error: Exception) -> Response[str]:
        if isinstance(error, ValueError) and not _sent_json():
            # Powertools parses form and multipart bodies before our code runs (and raises
            # ValueError on a multipart body without a boundary); this API only takes JSON.
            return _unsupported_media_type()
        busy = domain_error(error)  # DynamoDB throttling/contention that outlasted the retries: 503, not 500
        if busy is not None:
            logger.warning("store busy", extra={"error_type": type(error).__name__, "error_code": error_code(error)})
            return error_response(busy.status, busy.code, busy.message,
                                  headers={"Retry-After": str(busy.retry_after_seconds)})
        # type only: messages of unexpected errors may quote personal data
        logger.error("unhandled error", extra={"error_type": type(error).__name__, "error_code": error_code(error)})
        return error_response(500, "internal_error", "Internal error")
