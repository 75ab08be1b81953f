"""The local stack as the end-to-end and browser tests drive it: started as `make run` starts it
(`python -m local.stack`, free ports), its HTTP API, and storefront event builders.

Its output is collected all along; if it dies or is not READY in time, the test fails with that
output. Fixtures built on these live in tests/e2e/conftest.py and tests/browser/conftest.py.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]

START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15
VISIBLE_WITHIN_SECONDS = 5  # SPEC 4: accepted events and config saves are visible within 5 s
POLL_STEP_SECONDS = 0.1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningStack:
    process: subprocess.Popen
    api: str
    moto_endpoint: str
    output: list[str] = field(default_factory=list)

    def printed(self, label: str) -> str:
        """A value the stack printed as `  <label>: <value>` in its start banner."""
        for line in self.output:
            match = re.match(rf"^\s+{re.escape(label)}:\s+(\S+)", line)
            if match:
                return match.group(1)
        raise KeyError(f"the stack printed no {label!r}")

    def log(self) -> str:
        return "".join(self.output[-200:])


def start_stack() -> RunningStack:
    port, moto_port = free_port(), free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "local.stack", "--port", str(port), "--moto-port", str(moto_port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    stack = RunningStack(process, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{moto_port}")
    ready = threading.Event()

    def read() -> None:  # keeps draining the pipe so a chatty stack never blocks on a full pipe
        for line in process.stdout:
            stack.output.append(line)
            if line.startswith(f"READY {stack.api}"):
                ready.set()

    threading.Thread(target=read, name="stack-output", daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not ready.wait(0.2):
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            reason = f"exited with {process.returncode}" if process.returncode is not None else "not READY in time"
            pytest.fail(f"local stack {reason}; its output:\n{stack.log()}", pytrace=False)
    return stack


def stop(process: subprocess.Popen) -> int | None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
            return None
    return process.returncode


# ---------------------------------------------------------------- HTTP
class Api:
    """requests against the local gateway, with a bearer token unless told otherwise."""

    def __init__(self, stack: RunningStack, default_token: str):
        self.stack, self.base, self.default_token = stack, stack.api, default_token
        self.session = requests.Session()

    def request(self, method: str, path: str, token: str | None = "default", **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}) or {})
        if token == "default":
            token = self.default_token
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        try:
            return self.session.request(method, self.base + path, headers=headers, timeout=10, **kwargs)
        except requests.ConnectionError:
            if self.stack.process.poll() is not None:  # say why, rather than "connection refused"
                pytest.fail(f"the local stack died (exit {self.stack.process.returncode}):\n{self.stack.log()}",
                            pytrace=False)
            raise

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)


# ---------------------------------------------------------------- waiting and events
def eventually(probe: Callable[[], Any], timeout: float = VISIBLE_WITHIN_SECONDS, what: str = "condition") -> Any:
    """Call probe every 0.1 s until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = probe()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what} not reached within {timeout} s (last probe: {last!r})")
        time.sleep(POLL_STEP_SECONDS)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Storefront:
    """Builds events of one storefront session, each a second after the previous one."""

    def __init__(self, customer_id: str | None = None, website_id: str = "base"):
        self.session_id = f"v-e2e-{uuid.uuid4().hex[:12]}"
        self.customer_id = customer_id
        self.website_id = website_id
        self._clock = datetime.now(UTC) - timedelta(seconds=60)

    def event(self, type_: str, data: dict | None = None, path: str = "/", customer: bool = True) -> dict:
        self._clock += timedelta(seconds=1)
        return {"event_id": str(uuid.uuid4()), "type": type_, "occurred_at": iso(self._clock),
                "session_id": self.session_id, "website_id": self.website_id,
                "customer_id": self.customer_id if customer else None,
                "url": f"https://shop.example{path}", "data": data or {}}

    def sign_up_and_shop(self, email: str) -> list[dict]:
        """customer_registered + customer_logged_in + cart_item_added: a customer online."""
        return [
            self.event("customer_registered", {"email": email, "first_name": "Erin", "last_name": "Tester",
                                               "company": "E2E Ltd"}, "/customer/account/create"),
            self.event("customer_logged_in", path="/customer/account/login"),
            self.event("cart_item_added", {"sku": "MH01", "qty": 1, "price": "52.00", "name": "Hoodie"}, "/mh01.html"),
        ]


def new_customer() -> tuple[Storefront, str]:
    tag = uuid.uuid4().hex[:10]
    return Storefront(customer_id=f"c-e2e-{tag}"), f"erin.{tag}@example.com"


def online_row(api: Api, session_id: str) -> dict | None:
    response = api.get("/online-customers", params={"limit": 200})
    assert response.status_code == 200, response.text
    return next((row for row in response.json()["items"] if row["session_id"] == session_id), None)


def put_storefront_events(aws, stack: RunningStack, events: list[dict]) -> None:
    entries = [{"Source": "storefront", "DetailType": e.get("type") or "unknown", "Detail": json.dumps(e),
                "EventBusName": stack.printed("event bus")} for e in events]
    assert aws["events"].put_events(Entries=entries)["FailedEntryCount"] == 0


