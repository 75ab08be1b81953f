"""IngestFunction on one SQS batch of 100 storefront events vs. the raw DynamoDB calls it makes.

Under moto (tables from template.yaml), each repetition:
1. runs the handler on a batch of 25 sessions x 4 state-changing events (logins, registrations,
   cart add/update/remove, a guest cart merged on login, account update, order), recording every
   DynamoDB call it makes (botocore's BaseClient._make_api_call, as tests/integration/conftest.py);
2. restores the same starting tables and replays exactly those calls with a plain boto3 client;
3. runs the handler again on the same batch with every DynamoDB call answered from the recording
   (no botocore, no backend): the handler's own work.
The ratio handler / replay is the handler's overhead (validation, folding, PynamoDB, Powertools)
over its own I/O; the difference and run 3 are that overhead in ms. Both runs start from identical tables
because moto deep-copies a table for every item of a TransactWriteItems (its rollback), so its
cost grows with the table; every repetition uses fresh session and event ids. Timings are printed,
never asserted.

Run: .venv/bin/python -m bench.ingest_batch [--repeat N]
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import time
from collections import Counter, defaultdict, deque
from pathlib import Path

import boto3
import botocore
from botocore.config import Config
from moto import mock_aws

from bench._support import (
    DynamoRecorder,
    LambdaContext,
    create_stack,
    load_function,
    machine,
    median,
    quiet,
    register_website,
    sqs_event,
    template,
    timed,
)

SESSIONS = 25
EVENTS_PER_SESSION = 4
SHARDS = 16
LATENCY_MS = 5.0  # a DynamoDB answer within its region takes 5-10 ms
KNOWN_CUSTOMERS = 17  # sessions that log in to an existing account (profiles seeded once)


def iso(epoch_ms: int) -> str:
    return dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC).isoformat().replace("+00:00", "Z")


def batch(token: str, now_ms: int) -> list[dict]:
    """100 events, 4 per session, three kinds of session; every id carries `token`."""
    events = []
    for s in range(SESSIONS):
        session = f"v-{token}-{s}"
        start = now_ms - 90_000 + s * 10

        def event(k: int, type_: str, customer: str | None = None, data: dict | None = None, *,
                  s: int = s, start: int = start, session: str = session) -> dict:
            return {"event_id": f"e-{token}-{s}-{k}", "type": type_, "occurred_at": iso(start + k * 1000),
                    "session_id": session, "website_id": "base", "customer_id": customer,
                    "url": f"https://shop.example.com/{type_}", "data": data or {}}

        kind = s % 3
        if kind == 0:  # a returning customer logs in and edits the saved cart
            customer = f"c-known-{s % KNOWN_CUSTOMERS}"
            events += [
                event(0, "customer_logged_in", customer),
                event(1, "cart_item_added", customer, {"sku": "MH01", "qty": 1, "price": "52.00", "name": "Hoodie"}),
                event(2, "cart_item_updated", customer, {"sku": "MH01", "qty": 3}),
                event(3, "cart_item_removed", customer, {"sku": "WT09"}),
            ]
        elif kind == 1:  # a visitor fills a guest cart, then logs in: the cart merges
            customer = f"c-known-{s % KNOWN_CUSTOMERS}"
            events += [
                event(0, "cart_item_added", None, {"sku": "MH01", "qty": 1, "price": "52.00"}),
                event(1, "cart_item_added", None, {"sku": "WT09", "qty": 2, "price": "29.00"}),
                event(2, "cart_item_updated", None, {"sku": "MH01", "qty": 2}),
                event(3, "customer_logged_in", customer),
            ]
        else:  # a new customer registers, shops, edits the account and orders
            customer = f"c-{token}-{s}"
            events += [
                event(0, "customer_registered", customer,
                      {"email": f"{customer}@example.com", "first_name": "Sam", "last_name": f"Bench{s}"}),
                event(1, "cart_item_added", customer, {"sku": "MH01", "qty": 1, "price": "52.00"}),
                event(2, "account_updated", customer, {"company": "Example Ltd"}),
                event(3, "order_placed", customer, {"order_id": f"o-{token}-{s}", "total": "52.00"}),
            ]
    assert len(events) == SESSIONS * EVENTS_PER_SESSION
    return events


def without_token(params: dict) -> dict:
    """botocore adds ClientRequestToken to TransactWriteItems params in place after we record them;
    a replay must get its own (DynamoDB answers a reused token as an idempotent retry)."""
    return {k: v for k, v in params.items() if k != "ClientRequestToken"}


def call_key(operation: str, params: dict) -> str:
    return operation + json.dumps(without_token(params), sort_keys=True, default=str)


def answering(recorded: list[tuple[tuple[str, dict], object]], latency_s: float = 0.0):
    """A stub answering each call with its recorded response (by operation and parameters), after `latency_s`."""
    answers: dict[str, deque] = defaultdict(deque)
    for (op, params), response in recorded:
        answers[call_key(op, params)].append(response)

    def answer(op: str, params: dict):
        queue = answers.get(call_key(op, params))
        if not queue:
            raise RuntimeError(f"{op} was not in the recording")
        response = queue.popleft()
        if latency_s:
            time.sleep(latency_s)
        if isinstance(response, Exception):
            raise response
        return response

    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=11, help="measured repetitions (default 11)")
    parser.add_argument("--json", help="also write the measures to this file (bench.scale reads it)")
    args = parser.parse_args()

    recorder = DynamoRecorder()
    with mock_aws():
        create_stack(SHARDS)
        from shopadmin import wiring

        # One "now" per repetition, so the three runs see the same clock and the same config cache.
        frozen = [wiring.now()]
        wiring.use_clock(lambda: frozen[0])
        ingest = load_function("IngestFunction")
        # the replay client skips parameter validation, as PynamoDB's client does
        client = boto3.client("dynamodb", config=Config(parameter_validation=False))
        dynamodb = boto3.client("dynamodb")

        def fresh_tables() -> None:
            """The same starting point for every run: empty tables, the website and the known customers."""
            for name in dynamodb.list_tables()["TableNames"]:
                dynamodb.delete_table(TableName=name)
            template.create_tables(dynamodb, template.translated())
            register_website("base")
            # the known customers register through the real event path, so the seed follows the product
            registrations = [{
                "event_id": f"e-known-{c}-{frozen[0]}", "type": "customer_registered",
                "occurred_at": iso(frozen[0] - 600_000), "session_id": f"v-known-{c}", "website_id": "base",
                "customer_id": f"c-known-{c}", "url": "https://shop.example.com/register",
                "data": {"email": f"known{c}@example.com", "first_name": "Ada", "last_name": f"Known{c}"},
            } for c in range(KNOWN_CUSTOMERS)]
            with quiet():
                outcome = ingest.handler(sqs_event(registrations), LambdaContext())
            assert not outcome["batchItemFailures"], outcome

        def run_handler(events: list[dict]) -> tuple[float, dict]:
            event = sqs_event(events)
            with quiet():
                return timed(ingest.handler, event, LambdaContext())

        # warm-up (not measured): cold start, config read, PynamoDB connections and table metadata
        for w in range(2):
            frozen[0] = time.time_ns() // 1_000_000
            fresh_tables()
            _, response = run_handler(batch(f"bqwarm{w}z", wiring.now()))

        handler_ms, replay_ms, own_ms, calls, failures, replay_errors = [], [], [], Counter(), 0, Counter()
        default_workers = wiring.ingest_context().parallel_sessions
        waited_ms: dict[int, float] = {}
        stub_failures = 0
        for rep in range(args.repeat):
            frozen[0] = time.time_ns() // 1_000_000
            events = batch(f"bq{rep:04d}x", wiring.now())
            fresh_tables()
            recorder.start(keep_responses=True)
            elapsed, response = run_handler(events)
            recorder.stop()
            handler_ms.append(elapsed)
            failures += len(response["batchItemFailures"])
            calls.update(recorder.counts)
            replay = [(botocore.xform_name(op), copy.deepcopy(without_token(params))) for op, params in recorder.calls]

            def run_replay(replay: list[tuple[str, dict]] = replay) -> None:
                for method, params in replay:
                    try:
                        getattr(client, method)(**params)
                    except client.exceptions.ClientError as error:  # none expected: same starting tables
                        replay_errors[error.response["Error"]["Code"]] += 1

            fresh_tables()
            elapsed, _ = timed(run_replay)
            replay_ms.append(elapsed)

            recorded = list(zip(recorder.calls, recorder.responses, strict=False))
            with recorder.stubbed(answering(recorded)):
                elapsed, response = run_handler(events)
            own_ms.append(elapsed)
            stub_failures += len(response["batchItemFailures"])
            if rep == args.repeat - 1:  # the recording answered after DynamoDB's latency, one by one and side by side
                context = wiring.ingest_context()
                for workers in (1, default_workers):
                    context.parallel_sessions = workers
                    with recorder.stubbed(answering(recorded, LATENCY_MS / 1000)):
                        waited_ms[workers], response = run_handler(events)
                    stub_failures += len(response["batchItemFailures"])
                context.parallel_sessions = default_workers

    h, r, o = median(handler_ms), median(replay_ms), median(own_ms)
    total_calls = sum(calls.values()) / args.repeat
    print(f"IngestFunction: one SQS batch of {SESSIONS * EVENTS_PER_SESSION} events "
          f"({SESSIONS} sessions x {EVENTS_PER_SESSION} state-changing events), moto, ONLINE_SHARD_COUNT={SHARDS}")
    print(f"  {args.repeat} repetitions, fresh session ids each; {machine()}")
    print(f"  handler                         median {h:8.1f} ms   "
          f"(min {min(handler_ms):.1f}, max {max(handler_ms):.1f})")
    print(f"  same DynamoDB calls, raw boto3  median {r:8.1f} ms   "
          f"(min {min(replay_ms):.1f}, max {max(replay_ms):.1f})")
    paired = median([a / b for a, b in zip(handler_ms, replay_ms, strict=False)])
    print(f"  ratio handler / raw calls       {h / r:8.2f}   (median of per-repetition ratios {paired:.2f})")
    print(f"  handler overhead over its I/O   {h - r:8.1f} ms per batch (difference of the medians)")
    print("  handler, DynamoDB answered from the recording (its own work, no botocore/backend)")
    print(f"                                  median {o:8.1f} ms   (min {min(own_ms):.1f}, max {max(own_ms):.1f}),"
          f" {o / (SESSIONS * EVENTS_PER_SESSION):.2f} ms per event")
    print(f"  handler, each answer from the recording after {LATENCY_MS:.0f} ms (DynamoDB's latency in its region):")
    print(f"    one read at a time          {waited_ms[1]:10.1f} ms")
    print(f"    {default_workers:>2} reads at once (default)  {waited_ms[default_workers]:9.1f} ms   "
          f"(ratio {waited_ms[1] / waited_ms[default_workers]:.2f})")
    print(f"  DynamoDB calls per batch        {total_calls:8.1f}")
    for op, count in sorted(calls.items(), key=lambda kv: -kv[1]):
        print(f"    {op:<28}{count / args.repeat:8.1f}")
    print(f"  records reported as failed: {failures} (replayed handler: {stub_failures}); "
          f"replayed calls that errored: {dict(replay_errors) or 0}")
    if args.json:
        Path(args.json).write_text(json.dumps({
            "requests_per_event": total_calls / (SESSIONS * EVENTS_PER_SESSION), "handler_over_raw": h / r,
            "own_ms_per_event": o / (SESSIONS * EVENTS_PER_SESSION),
            "batch_ms_with_latency": {"sequential": waited_ms[1], "parallel": waited_ms[default_workers]},
            "calls": {op: count / args.repeat for op, count in calls.items()}}, indent=1))
    if failures or stub_failures:
        # a benchmark of a batch the handler refuses would measure the wrong thing
        raise SystemExit(f"the handler reported {failures} failed records ({stub_failures} when replayed)")


if __name__ == "__main__":
    main()
