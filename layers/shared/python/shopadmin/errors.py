"""Domain exceptions, named by meaning; api/errors.py maps them to HTTP responses once."""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: list | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(DomainError):
    status, code = 404, "not_found"


class Forbidden(DomainError):
    status, code = 403, "forbidden"


class InvalidRequest(DomainError):
    status, code = 422, "validation_error"


class ChangeConflict(Exception):
    """A guarded item changed between read and write (not a replay): retry with fresh data."""


class Conflict(DomainError):
    status, code = 409, "conflict"


class PreconditionRequired(DomainError):
    status, code = 428, "precondition_required"


class PreconditionFailed(DomainError):
    status, code = 412, "precondition_failed"


class EmailTaken(Exception):
    """Another customer of the same website already has this email."""
