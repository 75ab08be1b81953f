"""A value re-read after a few seconds: cheap on hot paths, fresh enough for admins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from shopadmin.clock import Clock

T = TypeVar("T")


class CachedValue(Generic[T]):
    def __init__(self, load: Callable[[], T], clock: Clock, ttl_seconds: float):
        self._load, self._clock, self._ttl_ms = load, clock, int(ttl_seconds * 1000)
        self._value: T | None = None
        self._read_at: int | None = None

    def get(self) -> T:
        now = self._clock()
        if self._read_at is None or not (0 <= now - self._read_at < self._ttl_ms):
            self._value, self._read_at = self._load(), now
        return self._value  # type: ignore[return-value]

    def set(self, value: T) -> None:
        self._value, self._read_at = value, self._clock()
