"""Logger, metrics and tracer, created once and imported everywhere.

Log ids, counts and outcomes only: never names, emails, addresses, tokens or request bodies.
Traces carry no responses and no error messages either (`capture_response=False`,
`capture_error=False`): a method's result or an unexpected error's text may hold personal data.

The X-Ray SDK costs a noticeable import, so the Tracer is built only where tracing is on (in
Lambda, unless POWERTOOLS_TRACE_DISABLED); tests and the local stack never load it.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

logger = Logger()
metrics = Metrics()

Handler = TypeVar("Handler", bound=Callable[..., Any])
Class = TypeVar("Class", bound=type)


def tracing_enabled() -> bool:
    """Powertools' own rule: on in a Lambda environment (not SAM local), unless POWERTOOLS_TRACE_DISABLED."""
    if os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in ("1", "true", "yes", "on"):
        return False
    return bool(os.environ.get("LAMBDA_TASK_ROOT")) and not os.environ.get("AWS_SAM_LOCAL")


def _build_tracer() -> Tracer | None:
    if not tracing_enabled():
        return None
    from aws_lambda_powertools import Tracer

    # only botocore (boto3 and PynamoDB go through it): each AWS call a subsegment (operation and table, no items)
    return Tracer(patch_modules=["botocore"])


tracer = _build_tracer()


def trace_handler(handler: Handler) -> Handler:
    """A Lambda handler as the trace's root segment (cold start annotated), or unchanged when tracing is off."""
    if tracer is None:
        return handler
    wrapped = tracer.capture_lambda_handler(handler, capture_response=False, capture_error=False)
    return cast(Handler, wrapped)  # Powertools types it Callable[..., Any]; functools.wraps keeps the signature


def trace_public_methods(cls: Class, with_tracer: Tracer | None = None) -> Class:
    """Every public method of a dal class as a subsegment named after it; the class unchanged when tracing is off."""
    active = with_tracer or tracer
    if active is None:
        return cls
    for name, member in list(vars(cls).items()):
        if inspect.isfunction(member) and not name.startswith("_"):
            setattr(cls, name, active.capture_method(capture_response=False, capture_error=False)(member))
    return cls


traced = trace_public_methods
"""Class decorator for the dal: `@traced class PresenceStore: ...`."""
