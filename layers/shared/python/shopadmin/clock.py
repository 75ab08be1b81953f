"""The one source of "now": injectable so interval, TTL and expiry rules are tested without sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import overload

Clock = Callable[[], int]
"""Returns the current time in epoch milliseconds."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MIN_MS = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)
_MAX_MS = (datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=UTC) - _EPOCH) // timedelta(milliseconds=1)


def system_clock() -> int:
    return time.time_ns() // 1_000_000


_current: list[Clock] = [system_clock]  # the injected clock (wiring.use_clock; tests pass a fake one)


def now_ms() -> int:
    """Current epoch ms from the injected clock: every time rule reads this, never the system clock."""
    return _current[0]()


def use_clock(clock: Clock) -> None:
    _current[0] = clock


def today() -> date:
    """Today's date (UTC) by the injected clock."""
    return datetime.fromtimestamp(now_ms() / 1000, tz=UTC).date()


@overload
def to_iso(epoch_ms: int) -> str: ...
@overload
def to_iso(epoch_ms: None) -> None: ...
@overload
def to_iso(epoch_ms: int | None) -> str | None: ...
def to_iso(epoch_ms: int | None) -> str | None:
    """ISO-8601 UTC with millisecond precision, e.g. 2026-11-23T10:00:00.000Z."""
    if epoch_ms is None:
        return None
    # Clamped to years 1-9999 so a time stored before input was bounded can never fail a read.
    epoch_ms = min(max(int(epoch_ms), _MIN_MS), _MAX_MS)
    moment = _EPOCH + timedelta(milliseconds=epoch_ms)
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}.{epoch_ms % 1000:03d}Z"


def from_datetime(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)
