"""A value re-read after a few seconds: cheap on hot paths, fresh enough for admins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from shopadmin.clock import Clock

T = TypeVar("T")


class CachedValue(Generic[T]):
    def __init__(self, load: Callable[[], T], clock: Clock, ttl_seconds: float):
        self._load, self._clock, self._ttl_ms = load, clock, int(ttl_seconds * 1000)
        self._entry: tuple[T, int] | None = None  # the value and when it was read (ms)

    def get(self) -> T:
        now = self._clock()
        if self._entry is None or not (0 <= now - self._entry[1] < self._ttl_ms):
            self._entry = (self._load(), now)
        return self._entry[0]

    def set(self, value: T) -> None:
        self._entry = (value, self._clock())
