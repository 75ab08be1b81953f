"""The one rule for "is this session online?", used by the list, summary, profile and session check."""

from __future__ import annotations

from shopadmin.models.presence import PresenceState

MINUTE_MS = 60_000


def window_start(now_ms: int, interval_minutes: int) -> int:
    """Oldest last_activity that still counts as online (inclusive)."""
    return now_ms - interval_minutes * MINUTE_MS


def is_online(state: PresenceState | None, now_ms: int, interval_minutes: int) -> bool:
    return (
        state is not None
        and state.visible
        and state.last_activity >= window_start(now_ms, interval_minutes)
    )


def is_signed_in(state: PresenceState | None, now_ms: int, interval_minutes: int) -> bool:
    """A storefront session is signed in while a customer is bound and the session has not ended."""
    return state is not None and state.customer_id is not None and is_online(state, now_ms, interval_minutes)


def presence_expires_at(last_activity_ms: int, interval_minutes: int) -> int:
    """TTL (epoch seconds) for housekeeping only; reads never rely on it."""
    return (last_activity_ms + interval_minutes * MINUTE_MS) // 1000 + 1
