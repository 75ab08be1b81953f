"""Environment parsed once into one settings object, validated when a function's module loads.

Each function's app.py calls `require(...)` at import with the variables that function needs, so a
misconfigured function fails at init (cold start) with the variable's name, never mid-request.
Each field is read from the environment variable of its name in capitals, as template.yaml sets
them (a plain pydantic model: pydantic-settings cost ~45 ms of every cold start for this).
"""

from __future__ import annotations

import functools
import os

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    presence_table: str = Field(min_length=1)
    customers_table: str = Field(min_length=1)
    online_shard_count: int = Field(default=16, ge=1, le=64)
    events_queue_url: str | None = None
    # Powertools idempotency records (Idempotency-Key on POST actions); set on the functions that need it
    idempotency_table: str | None = None
    # EventBridge bus for admin action events (source "shop-admin"); set on the functions that emit them
    event_bus_name: str | None = None
    # S3 bucket for privacy exports too large for one response; set on the export function
    exports_bucket: str | None = None
    # Secrets Manager secret whose value signs pagination cursors; set on the functions that page
    cursor_secret_arn: str | None = None
    # Seconds a saved config is trusted in memory; a save is visible everywhere within this.
    config_cache_seconds: float = Field(default=2.0, ge=0, le=60)
    # Reads and account updates of one ingest round (one per group of sessions sharing no customer) run
    # this many at once: their DynamoDB waits overlap.
    ingest_parallel_sessions: int = Field(default=8, ge=1, le=32)


class MisconfiguredFunction(RuntimeError):
    """The function's environment lacks a variable it needs (or holds an invalid one); names only, no values."""


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Each field from the variable of its name in capitals; an unset variable leaves the default."""
    given = {name: os.environ[name.upper()] for name in Settings.model_fields if name.upper() in os.environ}
    return Settings.model_validate(given)


def require(*variables: str) -> Settings:
    """The settings, after checking them at a function's cold start.

    Every variable Settings always needs (the tables) must be valid, and so must each of `variables`
    (environment variable names, e.g. "EVENTS_QUEUE_URL") that are optional for other functions.
    Raises MisconfiguredFunction naming every missing or invalid variable.
    """
    unknown = [name for name in variables if name.lower() not in Settings.model_fields]
    if unknown:
        raise ValueError(f"not a setting: {', '.join(unknown)}")
    try:
        settings = get_settings()
    except ValidationError as error:
        invalid = sorted({str(problem["loc"][0]).upper() for problem in error.errors() if problem["loc"]})
        raise MisconfiguredFunction(f"environment variables missing or invalid: {', '.join(invalid)}") from None
    missing = [name for name in variables if not getattr(settings, name.lower())]
    if missing:
        raise MisconfiguredFunction(f"environment variables not set: {', '.join(missing)}")
    return settings
