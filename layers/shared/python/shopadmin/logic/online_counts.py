"""The summary's counters (SPEC 2.2): how many visible sessions have their last activity in each second.

Per website and online-index shard, one counter item per minute holds one number per second and
type: attribute `c07` counts the customers whose last activity lies in second 7 of that minute,
`v07` the visitors. A presence write moves its session between counters in the same transaction
(count_moves), so the counters always equal a count over the rows, whatever order the events came
in. The summary reads the window's minutes (interval + 1 items per shard, whatever the crowd) and
counts the part of the first second that the window cuts from the online index itself
(window_edge): the cost follows the interval and the sessions of one second, never those online.

Source: issue 24 item 2; SPEC 2.1 (online is `last_activity >= now - interval`, to the millisecond).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shopadmin.models.online_index import shard_of
from shopadmin.models.presence import PresenceState

SECOND_MS = 1000
MINUTE_MS = 60_000
CUSTOMER_KIND, VISITOR_KIND = "c", "v"


@dataclass(frozen=True, order=True)
class CounterKey:
    """One counter item: a website's shard and the minute it counts (epoch ms of its first millisecond)."""

    website_id: str
    shard: int
    minute_ms: int


# the deltas of one presence write: counter item -> attribute -> +n/-n (never 0)
CountMoves = dict[CounterKey, dict[str, int]]


def count_attribute(customer: bool, second: int) -> str:
    """`c07` / `v07`: the attribute counting customers / visitors of second 7 of the item's minute."""
    if not 0 <= second < 60:
        raise ValueError("a second of a minute is 0..59")
    return f"{CUSTOMER_KIND if customer else VISITOR_KIND}{second:02d}"


def parse_count_attribute(name: str) -> tuple[bool, int] | None:
    """(customer?, second) of a counter attribute; None for any other attribute of the item."""
    if len(name) != 3 or name[0] not in (CUSTOMER_KIND, VISITOR_KIND) or not name[1:].isdigit():
        return None
    second = int(name[1:])
    return (name[0] == CUSTOMER_KIND, second) if second < 60 else None


def counted_at(state: PresenceState | None, shard_count: int) -> tuple[CounterKey, str] | None:
    """Where a stored row is counted: None when there is no row or it is hidden (a logout)."""
    if state is None or not state.visible:
        return None
    minute = state.last_activity - state.last_activity % MINUTE_MS
    second = (state.last_activity % MINUTE_MS) // SECOND_MS
    key = CounterKey(state.website_id, shard_of(state.session_id, shard_count), minute)
    return key, count_attribute(state.customer_id is not None, second)


def count_moves(before: PresenceState | None, after: PresenceState | None, shard_count: int) -> CountMoves:
    """The counter changes that turn `before` (the row as stored) into `after`: {} when it stays put."""
    moves: CountMoves = {}
    for state, delta in ((before, -1), (after, 1)):
        place = counted_at(state, shard_count)
        if place is not None:
            key, attribute = place
            deltas = moves.setdefault(key, {})
            deltas[attribute] = deltas.get(attribute, 0) + delta
    return {key: kept for key, deltas in moves.items() if (kept := {a: d for a, d in deltas.items() if d})}


def add_moves(total: CountMoves, more: CountMoves) -> None:
    """Fold `more` into `total` (seeding or rebuilding counters from many rows at once)."""
    for key, deltas in more.items():
        into = total.setdefault(key, {})
        for attribute, delta in deltas.items():
            into[attribute] = into.get(attribute, 0) + delta


def first_counted_second(window_start_ms: int) -> int:
    """Epoch ms of the first whole second inside the window (the window's start, or the second after it)."""
    return -(-window_start_ms // SECOND_MS) * SECOND_MS


def window_edge(window_start_ms: int) -> tuple[int, int] | None:
    """[start, end) in ms: the window's part-second, which counters cannot split; None on a whole second."""
    end = first_counted_second(window_start_ms)
    return None if end == window_start_ms else (window_start_ms, end)


def counted_in_window(minute_ms: int, counts: Mapping[str, object], window_start_ms: int) -> tuple[int, int]:
    """(sessions, of which customers) one counter item holds in whole seconds at or after the window's first.

    `counts` is the stored item (other attributes are ignored); numbers may come as Decimal or str.
    """
    first = first_counted_second(window_start_ms)
    total = customers = 0
    for name, value in counts.items():
        parsed = parse_count_attribute(name)
        if parsed is None:
            continue
        customer, second = parsed
        if minute_ms + second * SECOND_MS < first:
            continue
        number = int(str(value))
        total += number
        if customer:
            customers += number
    return total, customers


def minute_of(epoch_ms: int) -> int:
    return epoch_ms - epoch_ms % MINUTE_MS
