"""Builders shared by the test layers: storefront events, API Gateway v2 events, a fake clock."""

from __future__ import annotations

import itertools
import json
import uuid
from datetime import UTC, datetime
from typing import Any

BASE_MS = 1_795_000_000_000  # a fixed "now" (2026-11-18) for tests with a controlled clock
_counter = itertools.count()


class FakeClock:
    def __init__(self, now_ms: int = BASE_MS):
        self.now_ms = now_ms

    def __call__(self) -> int:
        return self.now_ms

    def advance(self, *, minutes: float = 0, seconds: float = 0) -> None:
        self.now_ms += int(minutes * 60_000 + seconds * 1000)


def iso(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC).isoformat().replace("+00:00", "Z")


def storefront_event(type_: str, session_id: str, at_ms: int, *, customer_id: str | None = None,
                     website_id: str = "base", data: dict | None = None, url: str | None = None,
                     event_id: str | None = None) -> dict[str, Any]:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "type": type_,
        "occurred_at": iso(at_ms),
        "session_id": session_id,
        "website_id": website_id,
        "customer_id": customer_id,
        "url": url or f"https://shop.example/{type_}/{next(_counter)}",
        "data": data or {},
    }


def registered(session_id: str, customer_id: str, at_ms: int, email: str, first: str = "Ada",
               last: str = "Lovelace", company: str | None = "Analytical Ltd", **kw) -> dict:
    data = {"email": email, "first_name": first, "last_name": last}
    if company:
        data["company"] = company
    return storefront_event("customer_registered", session_id, at_ms, customer_id=customer_id, data=data, **kw)


def sqs_event(bodies: list[Any]) -> dict:
    records = []
    for i, body in enumerate(bodies):
        records.append({
            "messageId": f"m-{i}-{uuid.uuid4().hex[:8]}",
            "receiptHandle": f"rh-{i}",
            "body": body if isinstance(body, str) else json.dumps(body),
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0", "SenderId": "test",
                           "ApproximateFirstReceiveTimestamp": "0"},
            "messageAttributes": {},
            "md5OfBody": "",
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:EventsQueue",
            "awsRegion": "us-east-1",
        })
    return {"Records": records}


def eventbridge_envelope(event: dict) -> dict:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": event["type"], "source": "storefront",
            "account": "123456789012", "time": event["occurred_at"], "region": "us-east-1",
            "resources": [], "detail": event}


def http_event(method: str, path: str, *, scopes: str = "", query: dict | None = None, body: Any = None,
               raw_body: str | None = None, headers: dict | None = None, claims: dict | None = None,
               path_parameters: dict | None = None, route: str | None = None) -> dict:
    """An API Gateway HTTP API payload v2.0 event, as the JWT authorizer passes it on."""
    from urllib.parse import urlencode

    all_claims = {"sub": "admin-1", "scope": scopes, "iss": "test", "aud": "test"}
    all_claims.update(claims or {})
    all_headers = {"content-type": "application/json", **(headers or {})}
    if raw_body is None and body is not None:
        raw_body = json.dumps(body)
    return {
        "version": "2.0",
        "routeKey": route or f"{method} {path}",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": all_headers,
        "queryStringParameters": query or None,
        "pathParameters": path_parameters,
        "requestContext": {
            "accountId": "123456789012", "apiId": "local", "domainName": "localhost", "domainPrefix": "local",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                     "userAgent": "pytest"},
            "requestId": str(uuid.uuid4()), "routeKey": route or f"{method} {path}", "stage": "$default",
            "time": "23/Nov/2026:10:00:00 +0000", "timeEpoch": BASE_MS,
            "authorizer": {"jwt": {"claims": all_claims, "scopes": scopes.split() or None}},
        },
        "body": raw_body,
        "isBase64Encoded": False,
    }


# Websites the tests name; fixtures register them (only registered websites take events, SPEC 6).
TEST_WEBSITES = ("base", "fr")


def register_websites(store: Any, *website_ids: str, now_ms: int = BASE_MS) -> None:
    """Register websites through the DAL (what PUT /websites/{id} does), e.g. store = wiring.customer_store()."""
    from shopadmin.models.website import Website

    for website_id in website_ids or TEST_WEBSITES:
        store.save_website(Website(website_id=website_id, name=f"Website {website_id}",
                                   storefront_url=f"https://{website_id}.shop.example", timezone="UTC"),
                           "tests", now_ms)
