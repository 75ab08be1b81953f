"""Domain exceptions, named by meaning; api/errors.py maps them to HTTP responses once."""

from __future__ import annotations

from typing import Any

ErrorDetails = list[dict[str, Any]]
"""[{"field": ..., "reason": ...}]: which input broke which rule, never its value."""


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, details: ErrorDetails | None = None):
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


class CustomerGone(Exception):
    """A write under a customer found no profile in its own transaction: deleted (or never created) meanwhile."""

    def __init__(self, customer_id: str):
        super().__init__("customer gone")
        self.customer_id = customer_id


class ProfileChanged(Exception):
    """A new binding copied a profile that changed before the binding's transaction: read it again."""

    def __init__(self, customer_id: str):
        super().__init__("profile changed")
        self.customer_id = customer_id


class Conflict(DomainError):
    status, code = 409, "conflict"


class PreconditionRequired(DomainError):
    status, code = 428, "precondition_required"


class PreconditionFailed(DomainError):
    status, code = 412, "precondition_failed"


class EmailTaken(Exception):
    """Another customer of the same website already has this email."""


class Busy(DomainError):
    """Server-side retries ran out under contention (a valid request, not a conflict): retry later."""

    status, code = 503, "busy"


class TooManyRequests(DomainError):
    """A rate limit refused the request; `retry_after_seconds` becomes the Retry-After header."""

    status, code = 429, "too_many_requests"

    def __init__(self, message: str, retry_after_seconds: int, details: ErrorDetails | None = None):
        super().__init__(message, details)
        self.retry_after_seconds = max(1, int(retry_after_seconds))


class Unavailable(DomainError):
    """A dependency (e.g. the event bus) did not take the request; nothing was disclosed, retry later."""

    status, code = 503, "unavailable"


class RateLimited(Exception):
    """A rate-limited write was refused; `last_at` (ms) is when the last accepted request was made."""

    def __init__(self, last_at: int | None):
        super().__init__("rate limited")
        self.last_at = last_at


class StorageBusy(DomainError):
    """DynamoDB stayed throttled or contended through bounded retries: nothing half-done, retry after a pause."""

    status, code = 503, "busy"

    def __init__(self, message: str, retry_after_seconds: int = 1, details: ErrorDetails | None = None):
        super().__init__(message, details)
        self.retry_after_seconds = max(1, int(retry_after_seconds))
