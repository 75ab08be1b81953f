"""Errors mapped to HTTP once, for every function: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
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
    field: str = Field(description="Where: body.x, query.x, path.x, header.x", examples=["body.email"])
    reason: str = Field(description="What to change, in plain words", examples=["is required"])
    code: str = Field(description="A stable word: required, too_long, too_short, out_of_range, invalid_format, "
                                  "invalid_type, invalid_choice, unknown_field, invalid, conflict, …",
                      examples=["required"])


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
# (status, code, message, details) of a body not sent as JSON: answered by the resolver before routing
UNSUPPORTED_MEDIA_TYPE: tuple[int, str, str, ErrorDetails] = (
    415, "unsupported_media_type", "Send the body as application/json",
    [{"field": "header.content-type", "reason": "must be application/json", "code": "invalid_format"}])


# The detail code of a domain error's details that name none: one stable word per kind of answer.
_DETAIL_CODE_BY_STATUS = {401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
                          412: "conflict", 413: "too_long", 415: "invalid_format", 428: "required",
                          429: "rate_limited", 503: "busy"}


def with_codes(status: int, details: ErrorDetails) -> ErrorDetails:
    """Every detail with a `code` (SPEC 7): the one it names, else the answer's stable word."""
    default = _DETAIL_CODE_BY_STATUS.get(status, "invalid")
    return [{"field": d.get("field", ""), "reason": d.get("reason", ""), "code": d.get("code") or default}
            for d in details]


def error_body(status: int, code: str, message: str, details: ErrorDetails | None = None) -> str:
    """The JSON of every error answer (SPEC 7): {"error": {"code", "message", "details": [...]}}."""
    return json.dumps({"error": {"code": code, "message": message, "details": with_codes(status, details or [])}})


def error_response(status: int, code: str, message: str, details: ErrorDetails | None = None,
                   headers: dict[str, str] | None = None) -> Response[str]:
    return Response(status_code=status, content_type="application/json",
                    body=error_body(status, code, message, details), headers=headers)


def _field(location: Sequence[int | str]) -> str:
    return ".".join(str(part) for part in location if _is_field_part(part))


# ---------------------------------------------------------------- plain reasons (SPEC 7)
# pydantic names union members and validators in an error's location ("constrained-int",
# "function-after[...]", "str"): not fields a caller sent (header names keep their hyphens).
_TYPE_TAGS = {"str", "int", "bool", "float", "none", "list", "dict", "decimal", "date", "datetime"}
_VALIDATOR_TAG = re.compile(r"(constrained|function|lax|json|tagged|chain|nullable|default)-")


def _is_field_part(part: int | str) -> bool:
    text = str(part)
    return isinstance(part, int) or not (text in _TYPE_TAGS or "[" in text or _VALIDATOR_TAG.match(text))


def _count(n: Any, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def plain_reason(problem: Mapping[str, Any]) -> tuple[str, str]:
    """(reason, code) of one pydantic problem, in words staff can act on: never a pattern or class name."""
    kind = str(problem.get("type", ""))
    ctx = problem.get("ctx") or {}
    last = str((problem.get("loc") or ("",))[-1])
    if kind == "missing":
        return "is required", "required"
    if kind == "extra_forbidden":
        return "is not a field of this request", "unknown_field"
    if kind in ("string_too_short", "too_short"):
        unit = ("character", "characters") if kind.startswith("string") else ("item", "items")
        return f"must have at least {_count(ctx.get('min_length', 1), *unit)}", "too_short"
    if kind in ("string_too_long", "too_long"):
        unit = ("character", "characters") if kind.startswith("string") else ("item", "items")
        return f"must have at most {_count(ctx.get('max_length'), *unit)}", "too_long"
    bounds = {"greater_than_equal": ("ge", "must be {} or more"), "greater_than": ("gt", "must be more than {}"),
              "less_than_equal": ("le", "must be {} or less"), "less_than": ("lt", "must be less than {}")}
    if kind in bounds:
        key, words = bounds[kind]
        return words.format(ctx.get(key)), "out_of_range"
    if kind == "string_pattern_mismatch":
        if last == "email" or last.endswith("_email"):
            return "must be an email address, e.g. name@example.com", "invalid_format"
        return "holds characters or a shape this field does not accept", "invalid_format"
    if kind in ("literal_error", "enum"):
        return f"must be one of {ctx.get('expected', 'the listed values')}", "invalid_choice"
    types = {"int": "a whole number", "bool": "true or false", "string": "text", "float": "a number",
             "decimal": "a number", "list": "a list", "dict": "an object", "model": "an object",
             "date": "a date such as 2024-01-31", "datetime": "a date and time such as 2024-01-31T09:30:00Z"}
    for prefix, words in types.items():
        if kind.startswith(prefix + "_") or kind == prefix:
            return f"must be {words}", "invalid_type" if not prefix.startswith("date") else "invalid_format"
    if kind in ("value_error", "assertion_error"):
        # a validator of ours raised ValueError with plain words: pydantic only prefixes them
        reason = str(problem.get("msg", "is not valid")).removeprefix("Value error, ")
        return reason, "required" if reason.startswith("is required") else "invalid"
    return "is not valid", "invalid"


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
        # one detail per field: a union (e.g. a number or blank) reports each member's complaint
        details: dict[str, dict[str, str]] = {}
        for problem in problems:
            field = _field(problem.get("loc", ()))
            if field not in details:
                reason, code = plain_reason(problem)
                details[field] = {"field": field, "reason": reason, "code": code}
        fields = ", ".join(details)
        return error_response(422, "validation_error", f"Check these fields: {fields}", list(details.values()))

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
        busy = domain_error(error)  # DynamoDB throttling/contention that outlasted the retries: 503, not 500
        if busy is not None:
            logger.warning("store busy", extra={"error_type": type(error).__name__, "error_code": error_code(error)})
            return error_response(busy.status, busy.code, busy.message,
                                  headers={"Retry-After": str(busy.retry_after_seconds)})
        # type only: messages of unexpected errors may quote personal data
        logger.error("unhandled error", extra={"error_type": type(error).__name__, "error_code": error_code(error)})
        return error_response(500, "internal_error", "Internal error")
