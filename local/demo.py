"""Demo data for `make run`: a few customers and visitors on the storefront right now.

The data takes the real path, so a fresh stack shows that path working end to end:
storefront events -> EventBridge PutEvents (source "storefront") -> the template's rule ->
SQS -> the poller -> the ingest handler -> DynamoDB. The people are invented
(example.com addresses); nothing here is personal data.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

SOURCE = "storefront"
WEBSITE = "base"
SHOP = "https://shop.example"
# Registered by every `make run` (with or without demo data): only registered websites take events.
# (website id, name, storefront URL, IANA time zone)
WEBSITES = [
    (WEBSITE, "Main Website", SHOP, "UTC"),
    ("fr", "Boutique France", "https://fr.shop.example", "Europe/Paris"),
    ("de", "Shop Deutschland", "https://de.shop.example", "Europe/Berlin"),
]

CUSTOMERS = [
    # (customer id, first name, last name, company, product added to the cart)
    ("c-demo-1", "Veronica", "Costello", "Luma Outfitters", ("MH01", "Chaz Kangeroo Hoodie", "52.00")),
    ("c-demo-2", "Jules", "Marchand", None, ("WS03", "Iris Workout Top", "29.00")),
    ("c-demo-3", "Amara", "Okafor", "Okafor & Daughters", ("MJ01", "Beaumont Summit Kit", "42.00")),
    ("c-demo-4", "Henrik", "Lindqvist", None, ("24-MB01", "Joust Duffle Bag", "34.00")),
]
# Demo customers who allowed remote shopping assistance (Login as Customer works for them): in a
# shop the customer ticks it in their account; here staff "make-run" records it, audited as any save.
ASSISTED_CUSTOMERS = ("c-demo-1",)
# Newsletters the shop "sent" to every demo customer: in AWS the mailer integration records these
# (CustomerCommerce.record_newsletter_sent); no storefront event carries them.
NEWSLETTERS_SENT = [("q-demo-1", "Autumn collection is here", 21), ("q-demo-2", "Black Friday preview", 7),
                    ("q-demo-3", "Your weekly picks", 1)]  # (queue id, subject, days ago)
VISITOR_PRODUCTS = [("24-WG085", "Sprite Yoga Strap 6 foot", "14.00"), ("MS04", "Gobi HeatTec Tee", "29.00"),
                    ("WT09", "Breathe-Easy Tank", "34.00")]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def event(type_: str, at: datetime, session_id: str, customer_id: str | None, path: str,
          data: dict | None = None) -> dict:
    return {"event_id": str(uuid.uuid4()), "type": type_, "occurred_at": iso(at), "session_id": session_id,
            "website_id": WEBSITE, "customer_id": customer_id, "url": SHOP + path, "data": data or {}}


def demo_events(now: datetime | None = None) -> list[dict]:
    """Events of the last few minutes, in the order a storefront would send them."""
    now = now or datetime.now(UTC)
    run = uuid.uuid4().hex[:6]  # fresh session ids per start: demo rows never merge with old ones
    events = []
    for n, (customer_id, first, last, company, (sku, name, price)) in enumerate(CUSTOMERS):
        session = f"v-demo-{run}-c{n + 1}"
        start = now - timedelta(minutes=6 - n)
        email = f"{first.lower()}.{last.lower()}@example.com"
        events += [
            event("customer_registered", start, session, customer_id, "/customer/account/create",
                  {"email": email, "first_name": first, "last_name": last, "company": company}),
            event("customer_logged_in", start + timedelta(seconds=20), session, customer_id,
                  "/customer/account/login"),
            event("cart_item_added", start + timedelta(minutes=1), session, customer_id, f"/{sku.lower()}.html",
                  {"sku": sku, "qty": 1, "price": price, "name": name}),
        ]
        if n % 2 == 0:
            events.append(event("newsletter_subscribed", start + timedelta(minutes=2), session, customer_id,
                                "/newsletter/manage"))
    for n, (sku, name, price) in enumerate(VISITOR_PRODUCTS):
        session = f"v-demo-{run}-v{n + 1}"
        start = now - timedelta(minutes=4 - n)
        events += [
            event("page_viewed", start, session, None, "/"),
            event("page_viewed", start + timedelta(seconds=30), session, None, f"/{sku.lower()}.html"),
            event("cart_item_added", start + timedelta(minutes=1), session, None, "/checkout/cart",
                  {"sku": sku, "qty": 1, "price": price, "name": name}),
        ]
    return events


def allow_remote_assistance(accounts, now_ms: int, actor: str = "make-run") -> list[str]:
    """Tick "Allow remote shopping assistance" on ASSISTED_CUSTOMERS through the admin's own edit.

    `accounts` is the shared layer's CustomerAccounts (wiring.customer_accounts()); returns the ids changed.
    """
    from shopadmin.logic.customer_accounts import edit_customer

    changed = []
    for customer_id in ASSISTED_CUSTOMERS:
        account = accounts.get_account(customer_id)
        if account is None or account.fields.get("allow_remote_assistance"):
            continue
        edit_customer(customer_id, {"allow_remote_assistance": True}, None, account.version, accounts, actor, now_ms)
        changed.append(customer_id)
    return changed


def register_websites(registry, actor: str = "make-run") -> list[str]:
    """Register the demo websites; `registry` is the shared layer's WebsiteRegistry (wiring.websites())."""
    from shopadmin.models.website import WebsiteSave

    for website_id, name, url, zone in WEBSITES:
        registry.save(website_id, WebsiteSave(name=name, storefront_url=url, timezone=zone), actor)
    return [w[0] for w in WEBSITES]


def record_newsletters_sent(store, now: datetime | None = None) -> int:
    """The "newsletters sent" history of the demo customers (the Newsletter tab of their profile).

    `store` is the CustomerCommerce of the shared layer; returns how many entries were written.
    """
    now = now or datetime.now(UTC)
    written = 0
    for customer_id, *_ in CUSTOMERS:
        for queue_id, subject, days_ago in NEWSLETTERS_SENT:
            sent_at = int((now - timedelta(days=days_ago)).timestamp() * 1000)
            store.record_newsletter_sent(customer_id, queue_id, subject, WEBSITE, sent_at)
            written += 1
    return written


def put_events(events_client, bus_name: str, events: list[dict]) -> int:
    """PutEvents as a storefront would (10 entries per call); returns how many entries failed."""
    failed = 0
    for start in range(0, len(events), 10):
        entries = [{"Source": SOURCE, "DetailType": e["type"], "Detail": json.dumps(e), "EventBusName": bus_name}
                   for e in events[start:start + 10]]
        failed += events_client.put_events(Entries=entries)["FailedEntryCount"]
    return failed
