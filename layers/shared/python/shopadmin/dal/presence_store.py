"""Presence rows in DynamoDB: batch reads, one versioned write per session, index queries."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.operand import Path
from pynamodb.expressions.update import Action

from shopadmin.dal.account_activity import add_activity_update, touch_alone
from shopadmin.dal.dynamo_errors import MAX_TRANSACTION_ITEMS, batch_get, commit_packed, retrying
from shopadmin.dal.keys import PROFILE_SK, customer_pk, online_count_pk, online_count_sk, parse_online_count_sk
from shopadmin.dal.tables import (
    ONLINE_INDEX,
    CustomersTableItem,
    OnlineCountItem,
    PresenceItem,
    ProfileItem,
    SessionRef,
)
from shopadmin.errors import CustomerGone, ProfileChanged
from shopadmin.logic.online_counts import (
    MINUTE_MS,
    CounterKey,
    CountMoves,
    add_moves,
    count_moves,
    counted_in_window,
    minute_of,
    window_edge,
)
from shopadmin.logic.online_window import presence_expires_at
from shopadmin.models.online_config import MAX_ONLINE_MINUTES_INTERVAL
from shopadmin.models.online_index import (
    FieldQuery,
    OnlineQuery,
    SearchEntry,
    SearchQuery,
    activity_bound,
    field_sort_key,
    online_partition,
    online_sort_key,
    search_partitions,
    shard_of,
)
from shopadmin.models.presence import (
    LOST_RACE,
    SAVED,
    SNAPSHOT_FIELDS,
    ActivityRun,
    CustomerSnapshot,
    PresenceState,
    PresenceWrite,
    SignIn,
    WriteResult,
)
from shopadmin.observability import traced

SESSION_PREFIX = "SESSION#"
# A session reference outlives the longest unsaved-data lifetime (7 days) after the last binding.
SESSION_REF_TTL_SECONDS = 30 * 24 * 3600


@traced
class PresenceStore:
    def __init__(self, shard_count: int):
        self.shard_count = shard_count

    # ------------------------------------------------------------ reads
    def get(self, session_id: str) -> PresenceState | None:
        """Consistent: every read here feeds a versioned write (a stale version would only fail it)."""
        try:
            return to_state(PresenceItem.get(session_id, consistent_read=True))
        except PresenceItem.DoesNotExist:
            return None

    def get_many(self, session_ids: list[str]) -> dict[str, PresenceState]:
        """Consistent BatchGetItem per 100 sessions; unprocessed keys asked again with backoff (dynamo_errors)."""
        return _batch_read(session_ids, consistent=True)

    def listed_rows(self, session_ids: list[str]) -> dict[str, PresenceState]:
        """The rows a list page shows: like get_many, eventually consistent (half the read cost)."""
        return _batch_read(session_ids, consistent=False)

    # ------------------------------------------------------------ writes
    def save(self, state: PresenceState, before: PresenceState | None, interval_minutes: int,
             also_bound: frozenset[str] = frozenset(), activity: Mapping[str, Mapping[str, int]] | None = None
             ) -> bool:
        """One versioned write of the row read as `before` (with `activity`, as in PresenceWrite);
        False when another writer got there first. Raises CustomerGone / ProfileChanged as
        `save_many` reports them.
        """
        write = PresenceWrite(state, before, also_bound, activity or {})
        result = self.save_many([write], interval_minutes)[state.session_id]
        if isinstance(result, Exception):
            raise result
        return result == SAVED

    def save_many(self, writes: list[PresenceWrite], interval_minutes: int) -> dict[str, WriteResult]:
        """Write many sessions' rows in as few transactions as DynamoDB allows; a result per session id.

        Each row is guarded by the version it was read at. The summary's counters move with the
        rows (logic/online_counts.py), summed over the transaction: one ADD per counter item. A row
        newly bound to a customer (`state.customer_id` differs from the one `before` shows), or
        folding logins of `also_bound` customers, carries a check that each customer's profile
        exists (at the copied version for the customer it shows) and a SESSION# reference under
        each: a login racing with Delete Customer either lands before the delete (which then finds
        the session, signs it out and erases its guest data) or not at all (CustomerGone). Each
        `activity` touch (a customer's last login/logout, moved forward only) goes with its row,
        also under a profile check.

        Writes are packed by `pack` (at most 100 items, no customer in two writes of one
        transaction). When DynamoDB cancels a transaction, the writes whose own item failed get
        their result (LOST_RACE for a moved version; CustomerGone or ProfileChanged for a failed
        profile check); the others applied nothing and are sent again. A touch older than the
        stored time is taken out of its write and its times are applied alone (`touch_alone`). A
        transaction that fails otherwise (busy after its retries) gives its writes that exception;
        the other transactions are unaffected.
        """
        results: dict[str, WriteResult] = {}
        stale: list[tuple[str, str, int]] = []
        pending = [_plan(write, self.shard_count, interval_minutes) for write in writes]
        while pending:
            retry: list[_Planned] = []
            for chunk in pack(pending):
                retry.extend(self._commit(chunk, results, stale))
            pending = retry
        for customer_id, field_name, at_ms in stale:
            with suppress(CustomerGone):  # deleted since its row was written: Delete Customer erases the rest
                touch_alone(customer_id, field_name, at_ms)
        return results

    def _commit(self, chunk: list[_Planned], results: dict[str, WriteResult],
                stale: list[tuple[str, str, int]]) -> list[_Planned]:
        """Write one packed chunk; record results; return the writes to send again."""
        if len(chunk) == 1 and chunk[0].item_count == 1:
            return self._put_alone(chunk[0], results)
        roles: list[tuple[str, _Planned, str | None]] = []
        outcome = commit_packed("presence.save", lambda transaction: roles.extend(_fill(transaction, chunk)))
        if outcome is None or isinstance(outcome, Exception):
            results.update({planned.session_id: SAVED if outcome is None else outcome for planned in chunk})
            return []
        return self._after_cancel(chunk, [roles[position] for position in outcome], results, stale)

    def _after_cancel(self, chunk: list[_Planned], failed: list[tuple[str, _Planned, str | None]],
                      results: dict[str, WriteResult], stale: list[tuple[str, str, int]]) -> list[_Planned]:
        settled: set[str] = set()
        for role, planned, customer_id in failed:
            if planned.session_id in settled:
                continue
            if role == "row":
                results[planned.session_id] = LOST_RACE
                settled.add(planned.session_id)
            elif role == "check" and customer_id is not None:
                shown = planned.write.state.customer_id == customer_id and planned.shown_version is not None
                changed = shown and self._profile_exists(customer_id)
                results[planned.session_id] = ProfileChanged(customer_id) if changed else CustomerGone(customer_id)
                settled.add(planned.session_id)
            elif role == "activity" and customer_id in planned.activity:
                stale.extend((customer_id, name, at) for name, at in planned.activity.pop(customer_id).items())
            else:  # an item written without a condition cannot fail one: never resend it blindly
                results[planned.session_id] = RuntimeError(f"presence write refused ({role})")
                settled.add(planned.session_id)
        return [planned for planned in chunk if planned.session_id not in settled]

    def _put_alone(self, planned: _Planned, results: dict[str, WriteResult]) -> list[_Planned]:
        """A row moving no counter and binding no one: a plain PutItem guarded by the version read."""
        try:
            planned.item.save()  # VersionAttribute adds "version = :read" (or "not exists" for a new row)
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                results[planned.session_id] = error
                return []
            results[planned.session_id] = LOST_RACE
            return []
        results[planned.session_id] = SAVED
        return []

    def add_counts(self, moves: CountMoves) -> None:
        """Apply counter deltas outside any row write (one UpdateItem per minute): seeding and rebuilding only.

        Not idempotent: a retried call counts twice. Live writes go through save().
        """
        for key, deltas in sorted(moves.items()):
            _counter_item(key).update(actions=_counter_actions(key, deltas))

    def _profile_exists(self, customer_id: str) -> bool:
        try:
            ProfileItem.get(customer_pk(customer_id), PROFILE_SK, consistent_read=True, attributes_to_get=["pk"])
        except ProfileItem.DoesNotExist:
            return False
        return True

    # ------------------------------------------------------------ the online index
    def query_online(self, query: OnlineQuery) -> tuple[list[PresenceState], str | None]:
        """Up to `limit` matching rows, newest first, and the sort key to resume below (None: done).

        With filters, DynamoDB applies Limit before the filter, so this keeps reading pages of the
        partition until it has enough matches or the window is exhausted.
        """
        condition: Condition | None = None
        if query.customer_only is True:
            condition = PresenceItem.customer_id.exists()
        elif query.customer_only is False:
            condition = PresenceItem.customer_id.does_not_exist()
        key_condition = _window_condition(query.lower_sk, query.resume_sk, query.ascending)
        if key_condition is None:
            return [], None
        rows = PresenceItem.online_by_activity.query(
            query.partition,
            range_key_condition=key_condition,
            filter_condition=condition,
            scan_index_forward=query.ascending,
            # the iterator reads further pages lazily; a page this size usually fills the request
            page_size=query.limit + 1 if condition is None else max(query.limit * 4, 25),
        )
        results: list[PresenceState] = []
        for item in rows:
            if query.resume_sk is not None and item.online_sk == query.resume_sk:
                continue  # bounds are inclusive; the resume point itself was already served
            results.append(to_state(item))
            if len(results) == query.limit:
                return results, item.online_sk
        return results, None

    def search_keys(self, query: SearchQuery) -> tuple[list[tuple[str, SearchEntry]], str | None]:
        """Up to `limit` (activity key, entry) of one search bucket inside the window whose first
        name, last name or email starts with the prefix, in activity order, and the key to resume after.

        The index is eventually consistent: the caller reads the rows it keeps and checks them.
        """
        key_condition = _window_condition(query.lower_sk, query.resume_sk, query.ascending)
        if key_condition is None:
            return [], None
        # every entry of a bucket has a field starting with its first character: a longer prefix filters
        text = None if len(query.prefix) <= 1 else (
            PresenceItem.search_first_name.startswith(query.prefix)
            | PresenceItem.search_last_name.startswith(query.prefix)
            | PresenceItem.search_email.startswith(query.prefix))
        index = {1: PresenceItem.online_search_1, 2: PresenceItem.online_search_2,
                 3: PresenceItem.online_search_3}[query.slot]
        # a page the size asked for: DynamoDB counts what it reads, not what the filter keeps, and a
        # prefix usually keeps most of its bucket; when it keeps fewer, the iterator reads on
        rows = index.query(query.partition, range_key_condition=key_condition, filter_condition=text,
                           scan_index_forward=query.ascending, page_size=query.limit + 1)
        found: list[tuple[str, SearchEntry]] = []
        for item in rows:
            if query.resume_sk is not None and item.online_sk == query.resume_sk:
                continue  # bounds are inclusive; the resume point itself was already served
            found.append((item.online_sk, SearchEntry(item.session_id, item.search_first_name, item.search_last_name,
                                                      item.search_email)))
            if len(found) == query.limit:
                return found, item.online_sk
        return found, None

    def field_keys(self, query: FieldQuery) -> tuple[list[tuple[str, str]], str | None]:
        """Up to `limit` (key, session_id) of the last-name or email index in its order, and the key to resume after.

        Keys only (the index projects nothing else): the caller reads the rows it keeps. The index is
        eventually consistent and may still hold rows that left the window (until the sweeper runs).
        """
        by_name = query.field == "last_name"
        index = PresenceItem.online_by_last_name if by_name else PresenceItem.online_by_email
        attribute = PresenceItem.online_last_name if by_name else PresenceItem.online_email
        lower, upper = query.key_range or ("", "\U0010ffff")
        if query.resume_key is not None:
            if query.ascending:
                lower = max(lower, query.resume_key)
            else:
                upper = min(upper, query.resume_key)
        if lower >= upper:
            return [], None
        # BETWEEN is inclusive: the resume key itself and the range's upper end are skipped below
        key_condition = attribute.between(lower, upper) if lower else attribute <= upper
        # a page this size fills the request: the resume key (inclusive bound) is the one extra key read
        rows = index.query(query.partition, range_key_condition=key_condition, scan_index_forward=query.ascending,
                           page_size=query.limit + (query.resume_key is not None))
        found: list[tuple[str, str]] = []
        for item in rows:
            key = getattr(item, attribute.attr_name)
            if key == query.resume_key or key == upper:
                continue
            found.append((key, item.session_id))
            if len(found) == query.limit:
                return found, key
        return found, None

    def sweep_partition(self, partition: str, below_sk: str, limit: int) -> int:
        """Take up to `limit` rows whose activity key is below `below_sk` out of the online indexes; returns how many.

        One Query of the activity index (only rows not yet swept are there, so the cost follows the
        sessions that left since the last run), then per row an update removing online_pk/online_sk,
        conditioned on the key read: a row an event moved meanwhile stays.
        """
        swept = 0
        rows = PresenceItem.online_by_activity.query(partition, range_key_condition=PresenceItem.online_sk < below_sk,
                                                     page_size=min(limit, 500),
                                                     attributes_to_get=["session_id", "online_sk", "version"])
        for item in rows:
            # with the version read, PynamoDB's update adds 1 to the stored one (without it, it would SET 1:
            # a version going back could let a writer holding an old read overwrite newer state)
            row = PresenceItem(item.session_id)
            if item.version is not None:
                row.version = item.version
            try:
                row.update(actions=[PresenceItem.online_pk.remove(), PresenceItem.online_sk.remove()],
                           condition=PresenceItem.online_sk == item.online_sk, add_version_condition=False)
                swept += 1
            except UpdateError as error:
                if error.cause_response_code != "ConditionalCheckFailedException":
                    raise
            if swept >= limit:
                break
        return swept

    def count_online(self, website_id: str, shard: int, window_start_ms: int) -> tuple[int, int]:
        """(sessions, of which customers) online in one shard of a website: counters plus the window's edge.

        One Query of the shard's counter items from the window's first minute on (interval + 1
        items, and any minute ahead of the clock), and, when the window starts inside a second, one
        Select=COUNT Query of the online index over that part-second (ScannedCount counts every row,
        Count those passing "customer_id exists").
        """
        total = customers = 0
        for item in _query_all(CustomersTableItem._get_connection(), online_count_pk(website_id, shard),
                               CustomersTableItem.sk >= online_count_sk(minute_of(window_start_ms))):
            minute = parse_online_count_sk(item["sk"]["S"])
            counts = {name: value["N"] for name, value in item.items() if "N" in value}
            in_window, of_customers = counted_in_window(minute, counts, window_start_ms)
            total += in_window
            customers += of_customers
        edge = window_edge(window_start_ms)
        if edge is not None:
            connection = PresenceItem._get_connection()
            start_key = None
            while True:
                page = connection.query(
                    online_partition(website_id, shard),
                    range_key_condition=PresenceItem.online_sk.between(activity_bound(edge[0]),
                                                                        activity_bound(edge[1])),
                    filter_condition=PresenceItem.customer_id.exists(),
                    index_name=ONLINE_INDEX, select="COUNT", exclusive_start_key=start_key,
                )
                total += page["ScannedCount"]
                customers += page["Count"]
                start_key = page.get("LastEvaluatedKey")
                if not start_key:
                    break
        return total, customers


def _batch_read(session_ids: list[str], consistent: bool) -> dict[str, PresenceState]:
    found = {}
    for item in retrying(lambda: batch_get(PresenceItem, session_ids, consistent_read=consistent)):
        found[item.session_id] = to_state(item)
    return found


def _query_all(connection: Any, partition: str, condition: Condition) -> Iterator[dict[str, Any]]:
    start_key = None
    while True:
        page = connection.query(partition, range_key_condition=condition, exclusive_start_key=start_key)
        yield from page.get("Items", [])
        start_key = page.get("LastEvaluatedKey")
        if not start_key:
            return


# The counters of a minute are read while any interval (up to the largest) can reach it.
COUNTER_TTL_SECONDS = MAX_ONLINE_MINUTES_INTERVAL * 60 + 3600


def _counter_item(key: CounterKey) -> OnlineCountItem:
    return OnlineCountItem(online_count_pk(key.website_id, key.shard), online_count_sk(key.minute_ms))


def _counter_actions(key: CounterKey, deltas: Mapping[str, int]) -> list[Action]:
    actions: list[Action] = [OnlineCountItem.kind.set(OnlineCountItem),
                             OnlineCountItem.expires_at.set((key.minute_ms + MINUTE_MS) // 1000 + COUNTER_TTL_SECONDS)]
    actions.extend(Path(attribute).add(delta) for attribute, delta in sorted(deltas.items()))
    return actions


# ---------------------------------------------------------------- packed writes
@dataclass
class _Planned:
    """A write turned into its transaction items (the counters' moves are summed per chunk)."""

    write: PresenceWrite
    item: PresenceItem
    moves: CountMoves
    checks: list[str]  # customers whose profile is checked (bound first, then touched only)
    bound: list[str]  # customers getting a SESSION# reference
    shown_version: int | None  # the version of the profile the row copies, checked for that customer
    activity: dict[str, dict[str, int]]

    @property
    def session_id(self) -> str:
        return self.write.state.session_id

    @property
    def item_count(self) -> int:
        return 1 + len(self.checks) + len(self.bound) + len(self.activity) + len(self.moves)


def _plan(write: PresenceWrite, shard_count: int, interval_minutes: int) -> _Planned:
    state, before = write.state, write.before
    bound = sorted(write.also_bound)
    if state.customer_id is not None and state.customer_id != (before.customer_id if before else None) \
            and state.customer_id not in write.also_bound:
        bound.append(state.customer_id)
    shown_version = state.customer.version if state.customer_id in bound else None
    touched = [customer_id for customer_id in sorted(write.activity) if customer_id not in bound]
    return _Planned(write, to_item(state, shard_count, interval_minutes), count_moves(before, state, shard_count),
                    bound + touched, bound, shown_version, {c: dict(t) for c, t in write.activity.items()})


def pack(writes: list[_Planned]) -> list[list[_Planned]]:
    """Writes grouped into transactions: at most 100 items each (counter items shared within one),
    and no customer checked by two writes of one transaction (DynamoDB refuses two operations on
    one item). First fit, in the order given."""
    chunks: list[tuple[list[_Planned], set[str], set[CounterKey], int]] = []
    for planned in writes:
        customers = set(planned.checks)
        for index, (members, taken, counters, items) in enumerate(chunks):
            new_counters = set(planned.moves) - counters
            size = items + planned.item_count - len(planned.moves) + len(new_counters)
            if not customers & taken and size <= MAX_TRANSACTION_ITEMS:
                members.append(planned)
                chunks[index] = (members, taken | customers, counters | new_counters, size)
                break
        else:
            chunks.append(([planned], customers, set(planned.moves), planned.item_count))
    return [members for members, _, _, _ in chunks]


def _fill(transaction: Any, chunk: list[_Planned]) -> list[tuple[str, _Planned, str | None]]:
    """Add the chunk's items; return each item's role in the order DynamoDB reports cancellation
    reasons (PynamoDB sends condition checks, then puts, then updates, each in the order added)."""
    checks: list[tuple[str, _Planned, str | None]] = []
    puts: list[tuple[str, _Planned, str | None]] = []
    updates: list[tuple[str, _Planned, str | None]] = []
    moves: CountMoves = {}
    for planned in chunk:
        for customer_id in planned.checks:
            # the customer the row shows: its profile still at the version the name was copied from
            condition = (ProfileItem.version == planned.shown_version
                         if customer_id == planned.write.state.customer_id and planned.shown_version is not None
                         else ProfileItem.pk.exists())
            transaction.condition_check(ProfileItem, customer_pk(customer_id), PROFILE_SK, condition=condition)
            checks.append(("check", planned, customer_id))
        transaction.save(planned.item)  # VersionAttribute adds "version = :read" (or "not exists")
        puts.append(("row", planned, None))
        state = planned.write.state
        for customer_id in planned.bound:
            transaction.save(SessionRef(customer_pk(customer_id), SESSION_PREFIX + state.session_id,
                                        session_id=state.session_id, bound_at=state.bound_at,
                                        expires_at=state.bound_at // 1000 + SESSION_REF_TTL_SECONDS))
            puts.append(("ref", planned, customer_id))
        for customer_id, times in sorted(planned.activity.items()):
            add_activity_update(transaction, customer_id, times)
            updates.append(("activity", planned, customer_id))
        add_moves(moves, planned.moves)
    for key, deltas in sorted(moves.items()):
        kept = {attribute: delta for attribute, delta in deltas.items() if delta}
        if kept:  # ADD, no condition: counters never refuse
            transaction.update(_counter_item(key), actions=_counter_actions(key, kept))
            updates.append(("counter", chunk[0], None))
    return checks + puts + updates


def to_item(state: PresenceState, shard_count: int, interval_minutes: int) -> PresenceItem:
    snap = state.customer
    item = PresenceItem(
        state.session_id,
        website_id=state.website_id,
        last_activity=state.last_activity,
        session_start=state.session_start,
        last_url=state.last_url,
        customer_id=state.customer_id,
        first_name=snap.first_name,
        last_name=snap.last_name,
        email=snap.email,
        company=snap.company,
        search_first_name=_lower(snap.first_name),
        search_last_name=_lower(snap.last_name),
        search_email=_lower(snap.email),
        # indexed only while online_pk is set (visible, and not yet swept)
        online_last_name=field_sort_key(snap.last_name, state.session_id, state.customer_id is not None),
        online_email=field_sort_key(snap.email, state.session_id, state.customer_id is not None),
        bound_at=state.bound_at,
        signed_out=state.signed_out,
        profile_at=state.profile_at,
        assisted_by=state.assisted_by,
        runs=runs_json(state.runs) if state.runs else None,
        signed_out_at=state.signed_out_at,
        guest_cart_until=state.guest_cart_until,
        expires_at=max(presence_expires_at(state.last_activity, interval_minutes), state.guest_cart_until or 0),
    )
    if state.visible:
        item.online_pk = online_partition(state.website_id, shard_of(state.session_id, shard_count))
        item.online_sk = online_sort_key(state.last_activity, state.session_id)
        if state.customer_id is not None:
            item.search_pk_1, item.search_pk_2, item.search_pk_3 = search_partitions(
                state.website_id, state.session_id, snap.first_name, snap.last_name, snap.email)
    if state.version is not None:
        item.version = state.version
    return item


def to_state(item: PresenceItem) -> PresenceState:
    return PresenceState(
        session_id=item.session_id,
        website_id=item.website_id,
        last_activity=int(item.last_activity),
        session_start=int(item.session_start),
        last_url=item.last_url,
        customer_id=item.customer_id,
        customer=CustomerSnapshot(item.first_name, item.last_name, item.email, item.company),
        bound_at=int(item.bound_at or 0),
        signed_out=bool(item.signed_out),
        profile_at=int(item.profile_at or 0),
        assisted_by=item.assisted_by,
        runs=runs_from_json(item.runs),
        signed_out_at=int(item.signed_out_at or 0),
        guest_cart_until=None if item.guest_cart_until is None else int(item.guest_cart_until),
        version=item.version,
    )


def runs_json(runs: tuple[ActivityRun, ...]) -> str:
    return json.dumps([[run.start, run.end, [[fact.at, fact.customer_id, fact.assisted_by] for fact in run.sign_ins]]
                       for run in runs], separators=(",", ":"))


def runs_from_json(text: str | None) -> tuple[ActivityRun, ...]:
    if not text:
        return ()  # a row written before runs were kept: logic/presence.py::legacy_run stands for it
    runs = []
    for start, end, facts in json.loads(text):
        if facts and not isinstance(facts[0], list):
            facts = [facts]  # written when a run kept only its newest fact
        runs.append(ActivityRun(int(start), int(end), tuple(SignIn(int(at), customer_id, assisted_by)
                                                            for at, customer_id, assisted_by in facts or ())))
    return tuple(runs)


def snapshot_actions(values: Mapping[str, Any], row: PresenceItem) -> list[Action]:
    """Update actions showing the account's `values` on a customer's row (SNAPSHOT_FIELDS, search
    copies, sort keys, search buckets: indexed while the row has its online keys)."""
    session_id = row.session_id
    actions: list[Action] = [
        PresenceItem.online_last_name.set(field_sort_key(values.get("last_name"), session_id, True)),
        PresenceItem.online_email.set(field_sort_key(values.get("email"), session_id, True)),
    ]
    buckets = search_partitions(row.website_id, session_id, values.get("first_name"), values.get("last_name"),
                                values.get("email"))
    for attribute, bucket in zip((PresenceItem.search_pk_1, PresenceItem.search_pk_2, PresenceItem.search_pk_3),
                                 buckets, strict=True):
        actions.append(attribute.set(bucket) if bucket else attribute.remove())
    for name in SNAPSHOT_FIELDS:
        value = values.get(name)
        attribute = getattr(PresenceItem, name)
        actions.append(attribute.set(value) if value else attribute.remove())
        if name != "company":
            search = getattr(PresenceItem, f"search_{name}")
            actions.append(search.set(value.lower()) if value else search.remove())
    return actions


def _window_condition(lower_sk: str, resume_sk: str | None, ascending: bool) -> Condition | None:
    """The key condition on online_sk of a read inside the window from a resume point (None: nothing left)."""
    if ascending:
        return PresenceItem.online_sk >= (lower_sk if resume_sk is None else max(lower_sk, resume_sk))
    if resume_sk is None:
        return PresenceItem.online_sk >= lower_sk
    if resume_sk < lower_sk:
        # the window moved past the resume point (time passed, or the interval was lowered): nothing is
        # left in this partition, and DynamoDB refuses a BETWEEN whose bounds are reversed
        return None
    return PresenceItem.online_sk.between(lower_sk, resume_sk)


def _lower(value: str | None) -> str | None:
    return value.lower() if value else None
