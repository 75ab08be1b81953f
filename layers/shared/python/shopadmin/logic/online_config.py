"""Reading and saving Online Customers Options.

Reads go through a short in-memory cache (Settings.config_cache_seconds) so a hot function
does not read the item on every request, while "Save Config" still applies to the next reads
everywhere within that time, with no redeploy.
"""

from __future__ import annotations

from typing import Protocol

from shopadmin.clock import Clock
from shopadmin.logic.cached import CachedValue
from shopadmin.models.online_config import OnlineCustomersConfig


class ConfigStore(Protocol):
    def load_online_config(self) -> OnlineCustomersConfig | None: ...

    def save_online_config(self, config: OnlineCustomersConfig, actor: str, now_ms: int) -> None: ...


class CachedConfig:
    def __init__(self, store: ConfigStore, clock: Clock, ttl_seconds: float):
        self._store, self._clock = store, clock
        self._cached = CachedValue(lambda: store.load_online_config() or OnlineCustomersConfig(), clock, ttl_seconds)

    def get(self) -> OnlineCustomersConfig:
        return self._cached.get()

    def save(self, config: OnlineCustomersConfig, actor: str) -> OnlineCustomersConfig:
        self._store.save_online_config(config, actor, self._clock())
        self._cached.set(config)
        return config
