"""What the storefront asks: take a batch of events, and is this session still signed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from shopadmin.logic.ingest import validate_event
from shopadmin.logic.online_window import is_signed_in
from shopadmin.logic.websites import UNKNOWN_WEBSITE
from shopadmin.models.events import EventInvalid
from shopadmin.models.presence import PresenceState


class EventQueue(Protocol):
    def send(self, messages: list[tuple[str, str]]) -> set[str]:
        """Send (id, body) pairs; returns the ids that could not be enqueued."""


@dataclass(frozen=True)
class IntakeResult:
    event_id: str | None
    status: str  # accepted | rejected
    reason: str | None = None


def take_events(raw_events: list[Any], queue: EventQueue, now_ms: int, website_scope: str | None,
                is_known_website: Callable[[str], bool]) -> list[IntakeResult]:
    """Validate each event on its own; enqueue the valid ones; results in request order.

    A token bound to a website (claim `website_id`) may only send that website's events, and only
    registered websites take events (SPEC 6): sending one never registers a website.
    """
    results: list[IntakeResult | None] = [None] * len(raw_events)
    to_send: list[tuple[str, str]] = []
    slot_of: dict[str, tuple[int, str]] = {}  # message id -> position, event id
    for position, raw in enumerate(raw_events):
        event_id = raw.get("event_id") if isinstance(raw, dict) and isinstance(raw.get("event_id"), str) else None
        try:
            event = validate_event(raw, now_ms)
        except EventInvalid as invalid:
            results[position] = IntakeResult(event_id, "rejected", invalid.reason)
            continue
        if website_scope is not None and event.website_id != website_scope:
            results[position] = IntakeResult(event_id, "rejected", "website_id: not allowed for this token")
            continue
        if not is_known_website(event.website_id):
            results[position] = IntakeResult(event_id, "rejected", UNKNOWN_WEBSITE)
            continue
        message_id = str(position)  # unique within the request even when event ids repeat
        slot_of[message_id] = (position, event.event_id)
        to_send.append((message_id, event.model_dump_json()))
        results[position] = IntakeResult(event.event_id, "accepted")
    failed = queue.send(to_send) if to_send else set()
    for message_id in failed:
        position, event_id = slot_of[message_id]
        results[position] = IntakeResult(event_id, "rejected",
                                         "temporarily unavailable: send this event again")
    return [r for r in results if r is not None]


def session_status(session_id: str, state: PresenceState | None, now_ms: int, interval_minutes: int,
                   website_scope: str | None) -> dict[str, Any]:
    """Signed in = a customer is bound, no logout or forced sign-out since, and within the interval."""
    if state is not None and website_scope is not None and state.website_id != website_scope:
        state = None  # another website's session is unknown to this token
    signed_in = is_signed_in(state, now_ms, interval_minutes)
    return {"session_id": session_id, "signed_in": signed_in,
            "customer_id": state.customer_id if state is not None and signed_in else None}


