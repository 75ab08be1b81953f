"""In-memory stand-ins for the logic ports, shared by the unit tests.

Each fake implements a whole Protocol of the logic layer; the assignments at the end make mypy
(`make lint` checks this file strictly) prove that it still does when a port changes. Fakes that
stand in for a few methods only stay next to the tests that use them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from shopadmin.logic.credentials import EventBusPort, PresencePort
from shopadmin.logic.customer_deletion import DeletionPort
from shopadmin.logic.online_list import OnlineIndex
from shopadmin.logic.online_sweep import SweepIndex
from shopadmin.logic.storefront import EventQueue
from shopadmin.models.credentials import DeletionJob
from shopadmin.models.online_index import (
    FieldQuery,
    OnlineQuery,
    SearchEntry,
    SearchQuery,
    field_sort_key,
    online_partition,
    online_sort_key,
    search_partitions,
    shard_of,
)
from shopadmin.models.presence import PresenceState
from shopadmin.models.records import AuditRecord


class FakeQueue:
    """EventQueue: keeps what was sent; the messages whose ids are in `fail_ids` fail."""

    def __init__(self, fail_ids: Iterable[str] = ()) -> None:
        self.sent: list[tuple[str, str]] = []
        self.fail_ids = set(fail_ids)

    def send(self, messages: list[tuple[str, str]]) -> set[str]:
        self.sent.extend(m for m in messages if m[0] not in self.fail_ids)
        return {m[0] for m in messages} & self.fail_ids


class FakeBus:
    """EventBusPort: keeps the published events, or fails every publish."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        if self.fail:
            raise RuntimeError("down")
        self.sent.append((detail_type, detail))


class NoSessions:
    """PresencePort with no session at all."""

    def get(self, session_id: str) -> PresenceState | None:
        return None

    def save(self, state: PresenceState, before: PresenceState | None, interval_minutes: int,
             also_bound: frozenset[str] = frozenset(), activity: Mapping[str, Mapping[str, int]] | None = None
             ) -> bool:
        return True


class MemoryIndex:
    """OnlineIndex with the dal's semantics: sorted partitions; counts rows read so tests check cost, not time."""

    def __init__(self, shard_count: int = 4) -> None:
        self.shard_count = shard_count
        self.partitions: dict[str, list[PresenceState]] = {}
        self.rows: dict[str, PresenceState] = {}  # the table: every row put, swept or not
        self.rows_read = 0
        self.queries = 0

    def put(self, state: PresenceState) -> None:
        if state.session_id in self.rows:  # a row written again replaces its index entry
            for rows in self.partitions.values():
                rows[:] = [s for s in rows if s.session_id != state.session_id]
        self.rows[state.session_id] = state
        if not state.visible:
            return
        part = online_partition(state.website_id, shard_of(state.session_id, self.shard_count))
        self.partitions.setdefault(part, []).append(state)

    def field_keys(self, query: FieldQuery) -> tuple[list[tuple[str, str]], str | None]:
        self.queries += 1
        keys = sorted((field_sort_key(getattr(s.customer, query.field), s.session_id, s.customer_id is not None),
                       s.session_id) for s in self.partitions.get(query.partition, []))
        if query.key_range is not None:
            keys = [k for k in keys if query.key_range[0] <= k[0] < query.key_range[1]]
        if query.resume_key is not None:
            keys = [k for k in keys if (k[0] > query.resume_key if query.ascending else k[0] < query.resume_key)]
        if not query.ascending:
            keys.reverse()
        found = keys[: query.limit]
        self.rows_read += len(found)
        return found, (found[-1][0] if len(keys) > query.limit else None)

    def search_keys(self, query: SearchQuery) -> tuple[list[tuple[str, SearchEntry]], str | None]:
        """The search bucket as the dal keeps it: every indexed (visible, not swept) customer row in it."""
        self.queries += 1
        entries = sorted(((online_sort_key(s.last_activity, s.session_id), s)
                          for rows in self.partitions.values() for s in rows if s.customer_id is not None
                          and search_partitions(s.website_id, s.session_id, s.customer.first_name,
                                                s.customer.last_name, s.customer.email)[query.slot - 1]
                          == query.partition), key=lambda entry: entry[0])
        entries = [e for e in entries if e[0] >= query.lower_sk]
        if query.resume_sk is not None:
            entries = [e for e in entries if (e[0] > query.resume_sk if query.ascending else e[0] < query.resume_sk)]
        if not query.ascending:
            entries.reverse()
        found: list[tuple[str, SearchEntry]] = []
        for key, state in entries:
            self.rows_read += 1
            copies = [(v or "").lower() or None for v in (state.customer.first_name, state.customer.last_name,
                                                           state.customer.email)]
            if any((v or "").startswith(query.prefix) for v in copies):
                found.append((key, SearchEntry(state.session_id, *copies)))
                if len(found) == query.limit:
                    return found, key
        return found, None

    def listed_rows(self, session_ids: list[str]) -> dict[str, PresenceState]:
        self.rows_read += len(session_ids)
        return {sid: self.rows[sid] for sid in session_ids if sid in self.rows}

    def sweep_partition(self, partition: str, below_sk: str, limit: int) -> int:
        rows = self.partitions.get(partition, [])
        gone = [s for s in rows if online_sort_key(s.last_activity, s.session_id) < below_sk][:limit]
        rows[:] = [s for s in rows if s not in gone]
        return len(gone)

    def query_online(self, query: OnlineQuery) -> tuple[list[PresenceState], str | None]:
        self.queries += 1
        rows = self.partitions.get(query.partition, [])
        keyed = sorted(((online_sort_key(s.last_activity, s.session_id), s) for s in rows), key=lambda pair: pair[0])
        keyed = [(k, s) for k, s in keyed if k >= query.lower_sk]
        if query.resume_sk is not None:
            resume = query.resume_sk
            keyed = [(k, s) for k, s in keyed if (k > resume if query.ascending else k < resume)]
        if not query.ascending:
            keyed.reverse()
        found: list[PresenceState] = []
        for key, state in keyed:
            self.rows_read += 1
            if query.customer_only is not None and (state.customer_id is not None) != query.customer_only:
                continue
            found.append(state)
            if len(found) == query.limit:
                return found, key
        return found, None

    def count_online(self, website_id: str, shard: int, window_start_ms: int) -> tuple[int, int]:
        """By brute force over the rows (the dal reads counters; the integration tests compare both)."""
        rows = [s for s in self.partitions.get(online_partition(website_id, shard), [])
                if s.last_activity >= window_start_ms]
        return len(rows), sum(1 for s in rows if s.customer_id)


class FakeDeletion:
    """DeletionPort over a partition of `items` sort keys and an audit partition of `audits`, served in pages."""

    def __init__(self, items: list[str], audits: list[str], job: DeletionJob | None = None,
                 profile: bool = True) -> None:
        self.items, self.audits, self._job, self.profile = items, audits, job, profile
        self.pages = 0
        self.finished = False

    def job(self, customer_id: str) -> DeletionJob | None:
        return self._job

    def claim_of(self, customer_id: str) -> str | None | Literal[False]:
        return "EMAIL#base#ada@example.com" if self.profile else False

    def start(self, customer_id: str, claim_pk: str | None, actor: str, audit: AuditRecord,
              now_ms: int) -> DeletionJob:
        self.profile = False
        self._job = DeletionJob(customer_id, now_ms, actor, "partition")
        return self._job

    def _page(self, keys: list[str], after: str | None, limit: int) -> str | None:
        self.pages += 1
        rest = [k for k in keys if after is None or k > after][:limit]
        return rest[-1] if len(rest) == limit else None

    def clean_partition_page(self, customer_id: str, after_sk: str | None, limit: int) -> str | None:
        return self._page(self.items, after_sk, limit)

    def redact_audit_page(self, customer_id: str, after_sk: str | None, limit: int,
                          redact: Callable[[dict[str, Any]], dict[str, Any]]) -> str | None:
        return self._page(self.audits, after_sk, limit)

    def session_refs(self, customer_id: str) -> list[str]:
        return []

    def delete_guest_data(self, session_id: str) -> int:
        return 0

    def save_progress(self, customer_id: str, phase: str, cursor: str | None) -> None:
        job = self._started()
        self._job = DeletionJob(customer_id, job.deleted_at, job.deleted_by, phase, cursor)

    def finish(self, customer_id: str, now_ms: int) -> None:
        job = self._started()
        self.finished = True
        self._job = DeletionJob(customer_id, job.deleted_at, job.deleted_by, "done")

    def _started(self) -> DeletionJob:
        if self._job is None:
            raise AssertionError("the logic moved a deletion on before starting it")
        return self._job


# mypy proves each fake still implements its port (make lint checks this file)
_queue: EventQueue = FakeQueue()
_bus: EventBusPort = FakeBus()
_presence: PresencePort = NoSessions()
_index: OnlineIndex = MemoryIndex()
_sweep: SweepIndex = MemoryIndex()
_deletion: DeletionPort = FakeDeletion([], [])
