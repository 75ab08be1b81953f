"""No personal data in logs or error bodies: every route sample and every event type, driven with
recognizable personal data, leaves none of it in the captured output (SPEC, DEVELOPERS: privacy)."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from datetime import UTC, datetime

from shopadmin.observability import logger

from local import template
from tests.integration.lambdas import RUNTIME

EVENTS = template.ROOT / "events"
MARKERS = {
    "email": "zq7k.marker@example.com",
    "first": "Zqxjkvmarker",
    "last": "Wqzrmtmarker",
    "company": "Pqlfzmarker Ltd",
    "street": "77 Xkcdmarker Lane",
}


def personalize(text: str) -> str:
    """The samples' fake people, replaced by markers nothing else in the system could print."""
    text = re.sub(r"[A-Za-z0-9._+-]+@example\.com", MARKERS["email"], text)
    text = re.sub(r'"Ada"', f'"{MARKERS["first"]}"', text)
    text = re.sub(r'"(Lovelace|King|Sample|Sample-Example)"', f'"{MARKERS["last"]}"', text)
    text = re.sub(r'"Example (Ltd|Holdings)"', f'"{MARKERS["company"]}"', text)
    return re.sub(r"\d+ (St James's Square|Main St)", MARKERS["street"], text)


def samples(folder: str) -> list[dict]:
    return [json.loads(personalize(path.read_text())) for path in sorted((EVENTS / folder).glob("*.json"))]


def invoke_route(event: dict):
    route = next(r for r in template.routes() if f"{r.method} {r.path}" == event["routeKey"])
    return RUNTIME.invoke(route.function, event)


def test_no_personal_data_reaches_logs_or_error_bodies(aws, clock, capfd):
    # the samples are dated (events/generate.py FIXED_START): events are accepted within 15 days of "now"
    clock.now_ms = int(datetime(2026, 11, 2, 10, 5, tzinfo=UTC).timestamp() * 1000)
    # Powertools' own JSON formatter, so every `extra` field lands in the captured text too
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(logger.registered_formatter)
    logging.getLogger(logger.name).addHandler(capture)
    logger.setLevel("DEBUG")
    try:
        # the registration first: events naming a customer not registered yet are retried, not applied
        events = sorted(samples("sqs") + samples("eventbridge"), key=lambda e: "customer_registered" not in
                        e["Records"][0]["body"].split('"type"', 1)[-1][:40])
        for sqs_event in events:
            RUNTIME.invoke("IngestFunction", sqs_event)
        # invalid events naming personal values must be refused without echoing them
        bad = samples("sqs")[0]
        body = json.loads(bad["Records"][0]["body"])
        body["data"] = {"email": "not-an-email " + MARKERS["email"], "first_name": MARKERS["first"] * 30}
        body["type"] = "customer_registered"
        body["customer_id"] = "c-pii"
        bad["Records"][0]["body"] = json.dumps(body)
        with contextlib.suppress(Exception):  # every record failed: Lambda would retry the batch
            RUNTIME.invoke("IngestFunction", bad)
        bodies = []
        for http_event in samples("http"):
            response = invoke_route(http_event)
            if response.get("statusCode", 200) >= 400:
                bodies.append(response.get("body") or "")
        bad_create = next(e for e in samples("http") if e["routeKey"] == "POST /customers")
        bad_create["body"] = json.dumps({"email": MARKERS["email"] + " nope", "first_name": MARKERS["first"],
                                         "last_name": MARKERS["last"], "website_id": "base", "x": MARKERS["street"]})
        bodies.append(invoke_route(bad_create)["body"])
    finally:
        logger.setLevel("INFO")
        logging.getLogger(logger.name).removeHandler(capture)
    captured = capfd.readouterr()
    output = captured.out + captured.err + stream.getvalue()
    # the capture works: the refused registration was logged (with its reason, without its values)
    assert "event not applied" in output and "data.email" in output
    for name, marker in MARKERS.items():
        assert marker.lower() not in output.lower(), f"{name} leaked into the logs"
        for body in bodies:
            assert marker.lower() not in body.lower(), f"{name} leaked into an error body: {body[:200]}"
