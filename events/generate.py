"""Write the sample Lambda events of events/ (run from the repo root: `python events/generate.py`).

- events/sqs/<type>.json         SQS batch of one record whose body is the plain storefront event
                                 (what POST /storefront/events enqueues)
- events/eventbridge/<type>.json SQS batch of one record whose body is the EventBridge envelope
                                 (source "storefront", detail-type = type, detail = the event)
- events/http/<name>.json        API Gateway HTTP API payload v2.0 events, one or more per route,
                                 with requestContext.authorizer.jwt as the JWT authorizer passes it

Only the standard library is used, and the output is deterministic (fixed ids and times), so the
committed JSON changes only when this file does. `--now` stamps the events a few seconds before
the current time instead, so an invoked sample shows up in Customers Now Online (the ingest
refuses events more than 5 minutes in the future and the list only shows the last 15 minutes).
All data is fake: example.com addresses, "sample" ids.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
NAMESPACE = uuid.UUID("6f1c1c3e-2f55-4c38-9c3b-2d0c5a3f0e11")  # for stable, fake event ids

FIXED_START = datetime(2026, 11, 2, 10, 0, 0, tzinfo=UTC)
ACCOUNT = "123456789012"
REGION = "us-east-1"
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:shop-admin-EventsQueue"
SHOP = "https://shop.example.com"
WEBSITE = "base"
SESSION = "v-sample-1"  # a visitor who registers, shops, and logs out
GUEST_SESSION = "v-sample-guest"  # a visitor who never logs in
CUSTOMER = "c-sample-1"
ISSUER = "https://dev-issuer.shop-admin.local"  # local/template.py LOCAL_PARAMETERS
AUDIENCE = "shop-admin-local"

# (type, session, customer_id, url path, data), in the order a storefront would send them.
STOREFRONT_EVENTS: list[tuple[str, str, str | None, str, dict]] = [
    ("page_viewed", GUEST_SESSION, None, "/women/tops.html", {}),
    ("checkout_draft_saved", GUEST_SESSION, None, "/checkout/shipping",
     {"email": "guest.sample@example.com", "postcode": "00000", "country_id": "US", "shipping_method": "flatrate"}),
    ("customer_registered", SESSION, CUSTOMER, "/customer/account/create",
     {"email": "ada.sample@example.com", "first_name": "Ada", "last_name": "Sample", "company": "Example Ltd"}),
    ("customer_logged_in", SESSION, CUSTOMER, "/customer/account/login", {}),
    ("cart_item_added", SESSION, CUSTOMER, "/checkout/cart",
     {"sku": "MH01", "qty": 1, "name": "Sample Hoodie", "price": "52.00"}),
    ("cart_item_updated", SESSION, CUSTOMER, "/checkout/cart",
     {"sku": "MH01", "qty": 2, "name": "Sample Hoodie", "price": "52.00"}),
    ("cart_item_removed", SESSION, CUSTOMER, "/checkout/cart", {"sku": "MH01"}),
    ("account_updated", SESSION, CUSTOMER, "/customer/account/edit",
     {"first_name": "Ada", "last_name": "Sample-Example", "company": "Example Holdings"}),
    ("wishlist_item_added", SESSION, CUSTOMER, "/wishlist", {"sku": "WT09"}),
    ("wishlist_item_removed", SESSION, CUSTOMER, "/wishlist", {"sku": "WT09"}),
    ("review_submitted", SESSION, CUSTOMER, "/review/product/WT09",
     {"sku": "WT09", "review_id": "r-sample-1", "rating": 5}),
    ("newsletter_subscribed", SESSION, CUSTOMER, "/newsletter/manage", {}),
    ("newsletter_unsubscribed", SESSION, CUSTOMER, "/newsletter/manage", {}),
    ("order_placed", SESSION, CUSTOMER, "/checkout/onepage/success", {"order_id": "o-sample-1", "total": "104.00"}),
    ("customer_logged_out", SESSION, CUSTOMER, "/customer/account/logout", {}),
]


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def storefront_events(start: datetime) -> dict[str, dict]:
    """One event per type, ten seconds apart, in STOREFRONT_EVENTS order."""
    events = {}
    for position, (type_, session, customer, path, data) in enumerate(STOREFRONT_EVENTS):
        at = datetime.fromtimestamp(start.timestamp() + 10 * position, tz=UTC)
        events[type_] = {
            "event_id": str(uuid.uuid5(NAMESPACE, f"{type_}/{iso(at)}")),
            "type": type_,
            "occurred_at": iso(at),
            "session_id": session,
            "website_id": WEBSITE,
            "customer_id": customer,
            "url": SHOP + path,
            "data": data,
        }
    return events


def eventbridge_envelope(event: dict) -> dict:
    """What an EventBridge rule delivers to its SQS target (the message body)."""
    return {
        "version": "0",
        "id": str(uuid.uuid5(NAMESPACE, "eventbridge/" + event["event_id"])),
        "detail-type": event["type"],
        "source": "storefront",
        "account": ACCOUNT,
        "time": event["occurred_at"],
        "region": REGION,
        "resources": [],
        "detail": event,
    }


def sqs_batch(body: dict, name: str) -> dict:
    """An SQS event source batch of one record, as Lambda passes it to IngestFunction."""
    text = json.dumps(body, separators=(",", ":"))
    sent_ms = int(datetime.fromisoformat(body.get("time", body.get("occurred_at")).replace("Z", "+00:00"))
                  .timestamp() * 1000) + 250
    return {
        "Records": [{
            "messageId": str(uuid.uuid5(NAMESPACE, "sqs/" + name)),
            "receiptHandle": "sample-receipt-handle-" + hashlib.sha256(name.encode()).hexdigest()[:16],
            "body": text,
            "attributes": {
                "ApproximateReceiveCount": "1",
                "SentTimestamp": str(sent_ms),
                "SenderId": "AIDAEXAMPLESENDERID",
                "ApproximateFirstReceiveTimestamp": str(sent_ms + 50),
            },
            "messageAttributes": {},
            "md5OfBody": hashlib.md5(text.encode()).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": QUEUE_ARN,
            "awsRegion": REGION,
        }]
    }


def http_event(route_key: str, start: datetime, *, scopes: list[str] | None, path_parameters: dict | None = None,
               query: dict | None = None, body: dict | None = None, extra_claims: dict | None = None,
               headers: dict | None = None) -> dict:
    """API Gateway HTTP API payload v2.0, as it reaches the function behind the JWT authorizer.

    The authorizer passes every claim as a string and the token's scopes as a list. `scopes=None`:
    a public route (no authorizer), where the request carries no token and no authorizer block.
    """
    method, path_template = route_key.split(" ", 1)
    path = path_template
    for name, value in (path_parameters or {}).items():
        path = path.replace("{" + name + "}", value)
    issued = int(start.timestamp())
    claims = {
        "sub": "admin-sample-1",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "client_id": "sample-client",
        "token_use": "access",
        "scope": " ".join(scopes or ()),
        "iat": str(issued),
        "exp": str(issued + 7200),
        "jti": str(uuid.uuid5(NAMESPACE, "jti/" + route_key)),
        **(extra_claims or {}),
    }
    headers = {
        **(headers or {}),
        "accept": "application/json",
        "host": "sample.execute-api.us-east-1.amazonaws.com",
        "user-agent": "curl/8.5.0",
        "x-forwarded-for": "192.0.2.10",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    if scopes is not None:
        headers["authorization"] = "Bearer sample.jwt.not-a-real-token"
    event: dict = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": headers,
    }
    if query:
        event["queryStringParameters"] = dict(query)
    event["requestContext"] = {
        "accountId": ACCOUNT,
        "apiId": "sample",
        "domainName": "sample.execute-api.us-east-1.amazonaws.com",
        "domainPrefix": "sample",
        "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "192.0.2.10",
                 "userAgent": "curl/8.5.0"},
        "requestId": str(uuid.uuid5(NAMESPACE, "request/" + route_key)).replace("-", "")[:16] + "=",
        "routeKey": route_key,
        "stage": "$default",
        "time": start.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "timeEpoch": int(start.timestamp() * 1000),
    }
    if scopes is not None:
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": list(scopes)}}
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    if body is not None:
        headers["content-type"] = "application/json"
        event["body"] = json.dumps(body)
    event["isBase64Encoded"] = False
    return event


def http_samples(start: datetime, events: dict[str, dict]) -> dict[str, dict]:
    """name -> event. The route keys are written out here on purpose: a renamed route in
    template.yaml must fail tests/unit/test_sample_events.py until the samples follow it."""
    request_time = datetime.fromtimestamp(start.timestamp() + 10 * len(events), tz=UTC)
    return {
        "online_customers_list": http_event(
            "GET /online-customers", request_time, scopes=["online:read"],
            query={"limit": "50", "sort": "-last_activity"}),
        "online_customers_search": http_event(
            "GET /online-customers", request_time, scopes=["online:read"],
            query={"q": "ada", "type": "customer", "website_id": WEBSITE, "sort": "last_name", "limit": "20"}),
        "online_customers_summary": http_event(
            "GET /online-customers/summary", request_time, scopes=["online:read"]),
        "online_config_get": http_event(
            "GET /config/online-customers", request_time, scopes=["config:read"]),
        "online_config_put": http_event(
            "PUT /config/online-customers", request_time, scopes=["config:read", "config:write"],
            body={"online_minutes_interval": 15, "customer_data_lifetime": 60}),
        "websites_get": http_event("GET /websites", request_time, scopes=["config:read"]),
        "website_put": http_event(
            "PUT /websites/{website_id}", request_time, scopes=["config:read", "config:write"],
            path_parameters={"website_id": WEBSITE},
            body={"name": "Main Website", "storefront_url": "https://shop.example", "timezone": "Europe/Paris"}),
        "storefront_events_post": http_event(
            "POST /storefront/events", request_time, scopes=["events:write"],
            extra_claims={"sub": "storefront-sample", "website_id": WEBSITE},
            body={"events": [events["customer_logged_in"], events["cart_item_added"], events["page_viewed"]]}),
        "storefront_session_get": http_event(
            "GET /storefront/sessions/{session_id}", request_time, scopes=["sessions:read"],
            path_parameters={"session_id": SESSION},
            extra_claims={"sub": "storefront-sample", "website_id": WEBSITE}),
        "customers_grid": http_event(
            "GET /customers", request_time, scopes=["customers:read"],
            query={"q": "ada", "website_id": WEBSITE, "sort": "-created_at", "limit": "20"}),
        "customers_create": http_event(
            "POST /customers", request_time, scopes=["customers:write"],
            body={"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace", "website_id": WEBSITE}),
        "customer_profile_get": http_event(
            "GET /customers/{customer_id}", request_time, scopes=["customers:read"],
            path_parameters={"customer_id": CUSTOMER}),
        "customer_quick_edit": http_event(
            "PATCH /customers/{customer_id}", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER}, headers={"if-match": '"1"'}, body={"taxvat": "FR123"}),
        "customer_full_edit": http_event(
            "PUT /customers/{customer_id}", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER}, headers={"if-match": '"1"'},
            body={"email": "ada@example.com", "first_name": "Ada", "last_name": "King", "website_id": WEBSITE}),
        "customer_addresses_get": http_event(
            "GET /customers/{customer_id}/addresses", request_time, scopes=["customers:read"],
            path_parameters={"customer_id": CUSTOMER}),
        "customer_address_add": http_event(
            "POST /customers/{customer_id}/addresses", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER},
            body={"first_name": "Ada", "last_name": "Lovelace", "street": ["12 St James's Square"],
                  "city": "London", "country_id": "GB", "default_billing": True}),
        "customer_address_edit": http_event(
            "PUT /customers/{customer_id}/addresses/{address_id}", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER, "address_id": "a1"},
            body={"first_name": "Ada", "last_name": "Lovelace", "street": ["1 Main St"], "city": "London",
                  "country_id": "GB", "default_shipping": True}),
        "customer_address_delete": http_event(
            "DELETE /customers/{customer_id}/addresses/{address_id}", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER, "address_id": "a1"}),
        "customer_audit_get": http_event(
            "GET /customers/{customer_id}/audit", request_time, scopes=["audit:read"],
            path_parameters={"customer_id": CUSTOMER}),
        "customer_cart_get": http_event(
            "GET /customers/{customer_id}/cart", request_time, scopes=["customers:read"],
            path_parameters={"customer_id": CUSTOMER}),
        "customer_cart_item_put": http_event(
            "PUT /customers/{customer_id}/cart/items/{sku}", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER, "sku": "MH01"},
            body={"qty": 2, "name": "Sample Hoodie", "price": "52.00"}),
        "customer_cart_item_delete": http_event(
            "DELETE /customers/{customer_id}/cart/items/{sku}", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER, "sku": "MH01"}),
        "customer_wishlist_item_delete": http_event(
            "DELETE /customers/{customer_id}/wishlist/items/{sku}", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER, "sku": "MH01"}),
        "customers_mass_action": http_event(
            "POST /customers/mass-actions", request_time, scopes=["customers:write"],
            headers={"idempotency-key": "sample-mass-1"},
            body={"action": "assign_group", "customer_ids": [CUSTOMER], "group_id": 2}),
        "customer_privacy_export": http_event(
            "GET /customers/{customer_id}/export", request_time, scopes=["customers:export"],
            path_parameters={"customer_id": CUSTOMER}),
        "customers_export_csv": http_event(
            "GET /exports/customers.csv", request_time, scopes=["customers:read"],
            query={"website_id": WEBSITE, "sort": "email"}),
        "online_customers_export_csv": http_event(
            "GET /exports/online-customers.csv", request_time, scopes=["online:read"],
            query={"type": "customer"}),
        "customer_orders_get": http_event(
            "GET /customers/{customer_id}/orders", request_time, scopes=["customers:read"],
            path_parameters={"customer_id": CUSTOMER}, query={"limit": "20"}),
        "customer_order_create": http_event(
            "POST /customers/{customer_id}/orders", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER}, headers={"idempotency-key": "sample-order-1"},
            body={"items": [{"sku": "MH01", "qty": 1, "name": "Sample Hoodie", "price": "52.00"}]}),
        "customer_order_from_cart": http_event(
            "POST /customers/{customer_id}/orders", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER}, headers={"idempotency-key": "sample-order-2"},
            body={"from_cart": True}),
        "customer_store_credit_adjust": http_event(
            "POST /customers/{customer_id}/store-credit/adjustments", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER}, headers={"idempotency-key": "sample-credit-1"},
            body={"amount": "12.50", "reason": "Goodwill for a late delivery"}),
        "customer_reward_points_adjust": http_event(
            "POST /customers/{customer_id}/reward-points/adjustments", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER}, headers={"idempotency-key": "sample-points-1"},
            body={"points": 120, "reason": "Welcome bonus"}),
        "customer_newsletter_put": http_event(
            "PUT /customers/{customer_id}/newsletter", request_time, scopes=["customers:write"],
            path_parameters={"customer_id": CUSTOMER}, body={"website_id": WEBSITE, "subscribed": True}),
        "customer_login_as": http_event(
            "POST /customers/{customer_id}/login-as", request_time, scopes=["customers:assist"],
            path_parameters={"customer_id": CUSTOMER}),
        "storefront_login_as_redeem": http_event(
            "POST /storefront/login-as/redeem", request_time, scopes=["sessions:write"],
            extra_claims={"sub": "storefront-sample", "website_id": WEBSITE},
            body={"secret": "sample-secret-not-a-real-one-0000000000000", "session_id": "v-sample-assisted"}),
        "customer_force_sign_in": http_event(
            "POST /customers/{customer_id}/force-sign-in", request_time, scopes=["customers:credentials"],
            path_parameters={"customer_id": CUSTOMER}),
        "customer_password_reset": http_event(
            "POST /customers/{customer_id}/password-reset", request_time, scopes=["customers:credentials"],
            path_parameters={"customer_id": CUSTOMER}),
        "customer_delete": http_event(
            "DELETE /customers/{customer_id}", request_time, scopes=["customers:delete"],
            path_parameters={"customer_id": CUSTOMER}),
        "openapi_get": http_event("GET /openapi.json", request_time, scopes=None),
        "docs_get": http_event("GET /docs", request_time, scopes=None),
        "console_get": http_event("GET /console", request_time, scopes=None),
    }


def write(path: Path, payload: dict, written: set[Path]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    written.add(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--now", action="store_true",
                        help="stamp events just before the current time (do not commit the result)")
    args = parser.parse_args()
    if args.now:
        now = datetime.now(UTC).replace(microsecond=0)
        start = datetime.fromtimestamp(now.timestamp() - 10 * len(STOREFRONT_EVENTS) - 10, tz=UTC)
    else:
        start = FIXED_START

    events = storefront_events(start)
    written: set[Path] = set()
    for type_, event in events.items():
        write(HERE / "sqs" / f"{type_}.json", sqs_batch(event, "sqs/" + type_), written)
        write(HERE / "eventbridge" / f"{type_}.json", sqs_batch(eventbridge_envelope(event), "eventbridge/" + type_),
              written)
    for name, event in http_samples(start, events).items():
        write(HERE / "http" / f"{name}.json", event, written)

    for folder in ("sqs", "eventbridge", "http"):  # drop samples of types or routes that no longer exist
        for stale in sorted((HERE / folder).glob("*.json")):
            if stale not in written:
                stale.unlink()
                print(f"removed {stale.relative_to(HERE.parent)}")
    print(f"wrote {len(written)} sample events under {HERE.relative_to(HERE.parent)}/")


if __name__ == "__main__":
    main()
