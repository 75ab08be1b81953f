"""Environment parsed once into one settings object, so a missing table fails at cold start."""

from __future__ import annotations

import functools

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    presence_table: str = Field(min_length=1)
    customers_table: str = Field(min_length=1)
    online_shard_count: int = Field(default=16, ge=1, le=64)
    events_queue_url: str | None = None
    # Powertools idempotency records (Idempotency-Key on POST actions); set on the functions that need it
    idempotency_table: str | None = None
    # EventBridge bus for admin action events (source "shop-admin"); set on the functions that emit them
    event_bus_name: str | None = None
    # Seconds a saved config is trusted in memory; a save is visible everywhere within this.
    config_cache_seconds: float = Field(default=2.0, ge=0, le=60)


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
