"""Bounded exponential backoff with full jitter, and the one injectable pause every retry loop uses.

Used by the DAL (dal/dynamo_errors.py: transactions, batches, shared reads) and by the logic's
read-modify-write loops (presence writes). Tests swap the pause with `use_sleep` and never sleep.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Attempt n (from 0) waits uniform(0, min(cap, base * 2**n)) seconds: AWS's "full jitter"."""

    attempts: int = 5
    base_seconds: float = 0.05
    cap_seconds: float = 1.0

    def delay(self, attempt: int) -> float:
        return random.uniform(0.0, min(self.cap_seconds, self.base_seconds * (2 ** attempt)))


_sleep: Callable[[float], None] = time.sleep


def use_sleep(sleep: Callable[[float], None]) -> Callable[[float], None]:
    """Swap the pause between retries (tests record it instead of sleeping); returns the previous one."""
    global _sleep
    previous, _sleep = _sleep, sleep
    return previous


def pause(backoff: Backoff, attempt: int) -> None:
    _sleep(backoff.delay(attempt))
