"""GET /online-customers with 1,000 vs 50,000 sessions online: does a page cost the same?

The design promise (SPEC 2.2): a page of the default sort (newest first, no `q`) costs what the
page size costs, not what the number of sessions costs. For each scenario this seeds the presence
table directly (batch writes of the dal's `to_item`, not measured), then measures through the
OnlineCustomersFunction handler under moto, with ONLINE_SHARD_COUNT=16:
- list page 1 and page 2 (limit 50, default sort): latency, items read (ScannedCount summed
  over the Query responses, plus the items BatchGetItem returned) and returned (Count), and
  Query calls;
- the same page with every DynamoDB call answered from a recording (the handler's own work);
- the name and email sorts: their keys-only indexes merged across shards, then the page's rows
  (BatchGetItem): they follow the page size too;
- a text search (`q=`): the prefix's bucket of the three search indexes, merged, then the page's
  rows: it follows the page's matches, not the crowd;
- the summary (counts): it reads the window's counter items (interval + 1 per shard) and the
  sessions of the window's first part-second, so it barely grows.
The ratios 50k/1k are printed side by side from one run; timings are never asserted.

moto answers an index Query by walking every item of the table (moto/dynamodb/models/table.py,
Table.query), so under moto the latency of any Query grows with the table; DynamoDB reads only the
key range. Items read and Query calls are what carries over to DynamoDB.

Run: .venv/bin/python -m bench.online_list
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from moto import mock_aws

from bench._support import (
    DynamoRecorder,
    LambdaContext,
    create_stack,
    http_get,
    load_function,
    machine,
    median,
    quiet,
    register_website,
    timed,
)

SHARDS = 16
INTERVAL_MINUTES = 15  # the default Online Minutes Interval
# a fixed "now" (2026-11-18): the window and the caches stay put. 500 ms into a second, so the window's
# first second is cut and the summary reads the sessions of that part-second from the index too.
NOW_MS = 1_795_000_000_500
WEBSITE = "base"
FIRST_NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Ken",
               "Radia", "Tim", "Hedy", "Dennis", "Katherine", "Niklaus", "Sophie", "Linus", "Joan", "Guido"]
LAST_NAMES = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy", "Hamilton",
              "Thompson", "Perlman", "Berners", "Lamarr", "Ritchie", "Johnson", "Wirth", "Wilson", "Torvalds",
              "Clarke", "Rossum"]
QUERY = "jo"  # John, Joan (first names), Johnson (last name): about 9% of the sessions match


@dataclass
class Measure:
    latency_ms: list[float] = field(default_factory=list)
    own_ms: list[float] = field(default_factory=list)  # DynamoDB answered from a recording
    scanned: int = 0
    returned: int = 0
    queries: int = 0
    rows: int = 0
    total: int = 0  # the summary's count


def seed(sessions: int, table: str) -> float:
    """`sessions` visible sessions spread over the whole online window, 60% customers; returns seconds."""
    from shopadmin.dal.presence_store import PresenceStore, to_item
    from shopadmin.logic.online_counts import CountMoves, add_moves, count_moves
    from shopadmin.models.presence import CustomerSnapshot, PresenceState

    rng = random.Random(sessions)
    client = boto3.client("dynamodb")
    started = time.perf_counter()
    batch: list[dict] = []
    counts: CountMoves = {}
    for i in range(sessions):
        last = NOW_MS - rng.randrange(0, INTERVAL_MINUTES * 60_000)  # the window's first ms stays empty
        customer_id, snapshot = None, CustomerSnapshot()
        if rng.random() < 0.6:
            first, last_name = FIRST_NAMES[i % len(FIRST_NAMES)], rng.choice(LAST_NAMES)
            customer_id = f"c-{i:06d}"
            snapshot = CustomerSnapshot(first, last_name, f"{first}.{last_name}.{i}@example.com".lower(),
                                        "Example Ltd" if i % 4 == 0 else None)
        state = PresenceState(session_id=f"v-{i:06d}", website_id=WEBSITE, last_activity=last,
                              session_start=last - rng.randrange(0, 30 * 60_000),
                              last_url=f"https://shop.example.com/p/{i % 500}", customer_id=customer_id,
                              customer=snapshot, bound_at=last if customer_id else 0,
                              profile_at=last if customer_id else 0)
        item = to_item(state, SHARDS, INTERVAL_MINUTES)
        item.version = 1
        add_moves(counts, count_moves(None, state, SHARDS))
        batch.append({"PutRequest": {"Item": item.serialize()}})
        if len(batch) == 25 or i == sessions - 1:
            pending = {table: batch}
            while pending:
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None
            batch = []
    PresenceStore(SHARDS).add_counts(counts)  # the summary's counters, as the rows' saves would have moved them
    return time.perf_counter() - started


def call_key(operation: str, params: dict) -> str:
    return operation + json.dumps(params, sort_keys=True, default=str)


def measure(handler, event: dict, recorder: DynamoRecorder, repeat: int, own_repeat: int = 0) -> tuple[Measure, dict]:
    """Latency over `repeat` calls; items read and calls from the first; optionally the handler's own work."""
    result = Measure()
    body: dict = {}
    for n in range(repeat):
        recorder.start(keep_responses=True)
        with quiet():
            elapsed, response = timed(handler, event, LambdaContext())
        recorder.stop()
        if response["statusCode"] != 200:
            raise SystemExit(f"{event['rawPath']} answered {response['statusCode']}: {response['body'][:300]}")
        result.latency_ms.append(elapsed)
        if n == 0:
            body = json.loads(response["body"])
            result.rows = len(body.get("items", ()))
            for (op, _), answer in zip(recorder.calls, recorder.responses, strict=False):
                if op == "Query":
                    result.queries += 1
                    result.scanned += answer["ScannedCount"]
                    result.returned += answer["Count"]
                elif op == "BatchGetItem":  # the name/email sorts read the rows of the index keys they keep
                    result.scanned += sum(len(items) for items in answer.get("Responses", {}).values())
            recorded = list(zip(recorder.calls, recorder.responses, strict=False))
    for _ in range(own_repeat):
        answers: dict[str, deque] = defaultdict(deque)
        for (op, params), answer in recorded:
            answers[call_key(op, params)].append(answer)

        def stub(op: str, params: dict, answers: dict[str, deque] = answers):
            queue = answers.get(call_key(op, params))
            if not queue:
                raise RuntimeError(f"{op} was not in the recording")
            return queue.popleft()

        with recorder.stubbed(stub), quiet():
            elapsed, response = timed(handler, event, LambdaContext())
        if response["statusCode"] != 200:
            raise SystemExit(f"replayed {event['rawPath']} answered {response['statusCode']}")
        result.own_ms.append(elapsed)
    return result, body


def scenario(sessions: int, repeat: int) -> dict[str, Measure]:
    recorder = DynamoRecorder()
    with mock_aws():
        tables = create_stack(SHARDS)
        from shopadmin import wiring

        wiring.use_clock(lambda: NOW_MS)
        seconds = seed(sessions, tables["PresenceTable"])
        register_website(WEBSITE)
        print(f"  seeded {sessions:,} sessions in {seconds:.1f} s (not measured)", flush=True)
        handler = load_function("OnlineCustomersFunction").handler
        scopes = ["online:read"]
        page1 = http_get("/online-customers", scopes, {"limit": "50"})
        with quiet():  # warm-up: cold start, config and websites read (then cached: the clock stands still)
            handler(page1, LambdaContext())
        results: dict[str, Measure] = {}
        results["list page 1"], body = measure(handler, page1, recorder, repeat, own_repeat=15)
        page2 = http_get("/online-customers", scopes, {"limit": "50", "cursor": body["next_cursor"]})
        results["list page 2 (cursor)"], _ = measure(handler, page2, recorder, repeat)
        # one call each: under moto they cost tens of seconds at 50,000 rows (see the module docstring)
        results[f"list q={QUERY}"], _ = measure(
            handler, http_get("/online-customers", scopes, {"limit": "50", "q": QUERY}), recorder, 1)
        for sort in ("last_name", "email"):
            results[f"list sort={sort}"], _ = measure(
                handler, http_get("/online-customers", scopes, {"limit": "50", "sort": sort}), recorder, 1)
        results["summary"], summary = measure(handler, http_get("/online-customers/summary", scopes), recorder, 1)
        if summary["total"] != sessions:
            raise SystemExit(f"summary counted {summary['total']} sessions, seeded {sessions}")
        results["summary"].total = summary["total"]
        return results


def as_json(results: dict[str, Measure]) -> dict[str, dict[str, float]]:
    """What bench.scale reads: per request, items read and returned, Query calls, rows, latency."""
    keys = {"list page 1": "page 1", "list page 2 (cursor)": "page 2", f"list q={QUERY}": "q",
            "list sort=last_name": "sort=last_name", "list sort=email": "sort=email", "summary": "summary"}
    return {keys[name]: {"scanned": m.scanned, "returned": m.returned, "queries": m.queries, "rows": m.rows,
                         "total": m.total, "latency_ms": median(m.latency_ms)} for name, m in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="measured calls per list page (default 3)")
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--json", help="also write the measures to this file (bench.scale reads it)")
    args = parser.parse_args()

    print(f"GET /online-customers, moto, ONLINE_SHARD_COUNT={SHARDS}, one website, interval {INTERVAL_MINUTES} min; "
          f"{machine()}", flush=True)
    small = scenario(args.small, args.repeat)
    large = scenario(args.large, args.repeat)

    label_small, label_large = f"{args.small:,} online", f"{args.large:,} online"
    print(f"\n{'':44}{label_small:>14}{label_large:>16}{'ratio':>9}")

    def row(name: str, a: float, b: float, unit: str = "") -> None:
        ratio = f"{b / a:9.2f}" if a else f"{'-':>9}"
        print(f"  {name:<42}{a:>12.1f}{unit:2}{b:>14.1f}{unit:2}{ratio}")

    for name in small:
        sm, lg = small[name], large[name]
        print(f"{name} (limit 50)" if name.startswith("list") else name)
        row(f"latency, median of {len(lg.latency_ms)} (moto)" if len(lg.latency_ms) > 1 else "latency (moto)",
            median(sm.latency_ms), median(lg.latency_ms), "ms")
        if sm.own_ms:
            row(f"latency, replayed DynamoDB, median of {len(lg.own_ms)}", median(sm.own_ms), median(lg.own_ms), "ms")
        row("items read (ScannedCount + BatchGetItem items)", sm.scanned, lg.scanned)
        row("items returned by DynamoDB (sum of Count)", sm.returned, lg.returned)
        row("Query calls", sm.queries, lg.queries)
        if name.startswith("list"):
            row("rows on the page", sm.rows, lg.rows)
    print("\nratio = large / small. 'replayed DynamoDB': every call answered from a recording of the same request")
    print("(the handler's own work). Default, name and email sorts: items read and calls follow the page size")
    print("(ratio ~1), and so does q= (its prefix's search buckets, then the page's rows); the summary")
    print("reads counters (interval + 1 items per shard) and one part-second of sessions. moto walks the")
    print("whole table for every index Query, so its latencies grow with the table even for a fixed read.")
    if args.json:
        Path(args.json).write_text(json.dumps({"small": as_json(small), "large": as_json(large)}, indent=1))


if __name__ == "__main__":
    main()
