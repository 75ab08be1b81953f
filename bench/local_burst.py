"""The local stack (`make run`) under a burst and under a steady load, over loopback.

Starts `python -m local.stack --no-demo` on free loopback ports, then:
1. **burst**: one `POST /storefront/events` of `--burst` registrations (one new session each);
   the time until `GET /online-customers/summary` counts them all;
2. **load**: `--rate` events per second for `--seconds` (cart adds on new sessions, posted in
   batches of 10 by 4 concurrent senders), while the summary is polled every 0.1 s. The k-th
   event counts as visible when the summary first reaches k of them (events of one session
   never share a count, so this is the time until that many are visible, not per event id);
   p50/p95 of those times are printed, and every answer of 500 or more is counted. Sending stops
   at twice `--seconds` even if the stack lags (fewer events are then sent than planned).
Bounded in count and time; loopback only. Prints what it measured; asserts nothing.

Run: .venv/bin/python -m bench.local_burst [--burst 100] [--rate 200] [--seconds 60] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import requests

from bench._support import machine, median

ROOT = Path(__file__).resolve().parents[1]
BATCH = 10
SENDERS = 4
VISIBLE_WAIT_SECONDS = 60  # after the last send, how long the load run waits for the rest to show


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """`python -m local.stack` in a subprocess; its output is drained so it never blocks."""

    def __init__(self) -> None:
        self.port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")} | {"PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.stack", "--no-demo", "--port", str(self.port), "--moto-port",
             str(_free_port())], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.api = f"http://127.0.0.1:{self.port}"
        self.output: list[str] = []
        ready = threading.Event()

        def drain() -> None:
            for line in self.process.stdout or ():
                self.output.append(line)
                if line.startswith(f"READY {self.api}"):
                    ready.set()

        threading.Thread(target=drain, daemon=True).start()
        deadline = time.monotonic() + 90
        while not ready.wait(0.2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit("local stack did not start:\n" + "".join(self.output[-50:]))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _event(type_: str, session: str, data: dict, customer_id: str | None = None) -> dict:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {"event_id": str(uuid.uuid4()), "type": type_, "occurred_at": now, "session_id": session,
            "website_id": "base", "customer_id": customer_id, "url": "https://shop.example/bench", "data": data}


class Client:
    def __init__(self, api: str, token: str) -> None:
        self.api, self.headers = api, {"Authorization": f"Bearer {token}"}
        self.statuses: Counter = Counter()
        self._local = threading.local()

    def _session(self) -> requests.Session:
        if not hasattr(self._local, "session"):
            self._local.session = requests.Session()
        return self._local.session

    def post_events(self, events: list[dict]) -> None:
        response = self._session().post(f"{self.api}/storefront/events", json={"events": events},
                                        headers=self.headers, timeout=30)
        self.statuses[response.status_code] += 1
        if response.status_code >= 300:
            raise SystemExit(f"POST /storefront/events answered {response.status_code}: {response.text[:300]}")

    def online(self) -> int:
        response = self._session().get(f"{self.api}/online-customers/summary", headers=self.headers, timeout=30)
        self.statuses[response.status_code] += 1
        return int(response.json()["total"]) if response.status_code == 200 else -1


def burst(client: Client, count: int) -> float:
    """Seconds from sending `count` registrations in one request until the summary counts them all."""
    before = client.online()
    started = time.monotonic()
    tag = uuid.uuid4().hex[:8]
    client.post_events([_event("customer_registered", f"v-burst-{tag}-{i}",
                               {"email": f"burst.{tag}.{i}@example.com", "first_name": "Burst", "last_name": f"N{i}"},
                               customer_id=f"c-burst-{tag}-{i}") for i in range(count)])
    while client.online() < before + count:
        if time.monotonic() - started > 180:
            return float("inf")
        time.sleep(0.1)
    return time.monotonic() - started


def load(client: Client, rate: int, seconds: float) -> dict[str, float]:
    """p50/p95 seconds until visible, at `rate` events/s for `seconds`."""
    before = client.online()
    sent_at: list[float] = []
    sent_lock = threading.Lock()
    seen: list[tuple[float, int]] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            total = client.online()
            seen.append((time.monotonic(), total - before))
            time.sleep(0.1)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    tag = uuid.uuid4().hex[:8]
    batches = max(1, int(rate * seconds) // BATCH)
    interval = BATCH / rate
    started = time.monotonic()

    def send(n: int) -> None:
        time.sleep(max(0.0, started + n * interval - time.monotonic()))
        if time.monotonic() > started + 2 * seconds:
            return  # bounded in time: a stack that cannot keep up gets no more than twice the planned time
        events = [_event("cart_item_added", f"v-load-{tag}-{n}-{i}", {"sku": "MH01", "qty": 1}) for i in range(BATCH)]
        at = time.monotonic()
        client.post_events(events)
        with sent_lock:
            sent_at.extend([at] * BATCH)

    with ThreadPoolExecutor(max_workers=SENDERS) as pool:
        list(pool.map(send, range(batches)))
    send_seconds = time.monotonic() - started
    total = len(sent_at)
    deadline = time.monotonic() + VISIBLE_WAIT_SECONDS
    while (not seen or seen[-1][1] < total) and time.monotonic() < deadline:
        time.sleep(0.2)
    stop.set()
    poller.join(5)
    sent_at.sort()
    delays = []
    for k, at in enumerate(sent_at, start=1):
        shown = next((when for when, count in seen if count >= k), None)
        delays.append(shown - at if shown is not None else float("inf"))
    delays.sort()
    return {"events": total, "send_seconds": send_seconds, "p50_s": median(delays),
            "p95_s": delays[min(len(delays) - 1, int(len(delays) * 0.95))],
            "not_visible": sum(1 for d in delays if d == float("inf"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--burst", type=int, default=100, help="registrations in one POST (default 100)")
    parser.add_argument("--rate", type=int, default=200, help="events per second of the load run (default 200)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the load run (default 60)")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    from local import token

    stack = Stack()
    try:
        client = Client(stack.api, token.mint())
        burst_s = burst(client, args.burst)
        run = load(client, args.rate, args.seconds)
    finally:
        stack.stop()
    server_errors = sum(n for status, n in client.statuses.items() if status >= 500)
    results = {"burst_events": args.burst, "burst_visible_s": burst_s, **{f"load_{k}": v for k, v in run.items()},
               "load_rate": args.rate, "requests": sum(client.statuses.values()), "server_errors": server_errors}
    print(f"Local stack over loopback (moto server, gateway, SQS poller); {machine()}")
    print(f"  burst: {args.burst} registrations in one POST, all counted by the summary after {burst_s:.1f} s")
    print(f"  load:  {run['events']} events at {args.rate}/s (sent in {run['send_seconds']:.1f} s), "
          f"time until visible: p50 {run['p50_s']:.1f} s, p95 {run['p95_s']:.1f} s; not visible within "
          f"{VISIBLE_WAIT_SECONDS} s after the last send: {run['not_visible']}")
    print(f"  answers: {dict(sorted(client.statuses.items()))}; 5xx: {server_errors}")
    print("goals (issue 24): the burst counted within 5 s, no answer of 500 or more")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
