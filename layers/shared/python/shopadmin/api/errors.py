"""Errors mapped to HTTP once, for every function: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field

from shopadmin.errors import DomainError
from shopadmin.observability import logger


class ErrorDetail(BaseModel):
    field: str = Field(description="Where: body.x, query.x, path.x, header.x")
    reason: str


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    error: ErrorBody


def error_response(status: int, code: str, message: str, details: list | None = None) -> Response:
    body = {"error": {"code": code, "message": message, "details": details or []}}
    return Response(status_code=status, content_type="application/json", body=json.dumps(body))


def _field(location) -> str:
    return ".".join(str(part) for part in location)


def register_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(RequestValidationError)
    def _validation(error: RequestValidationError) -> Response:
        problems = error.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return error_response(400, "invalid_json", "The request body is not valid JSON",
                                  [{"field": "body", "reason": "JSON decode error"}])
        details = [{"field": _field(p.get("loc", ())), "reason": p.get("msg", "invalid")} for p in problems]
        return error_response(422, "validation_error", "The request does not match the schema", details)

    @app.exception_handler(DomainError)
    def _domain(error: DomainError) -> Response:
        return error_response(error.status, error.code, error.message, error.details)

    @app.not_found
    def _not_found(_: NotFoundError) -> Response:
        return error_response(404, "not_found", "No such route")

    @app.exception_handler(Exception)
    def _unexpected(error: Exception) -> Response:
        # type only: messages of unexpected errors may quote personal data
        logger.error("unhandled error", extra={"error_type": type(error).__name__})
        return error_response(500, "internal_error", "Internal error")
