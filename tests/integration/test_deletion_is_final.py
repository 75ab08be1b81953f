"""Deletion is final (SPEC 6): after DELETE /customers/{id} no event or request writes under the id
again, shows it online or reports its sessions signed in - also for events racing with the delete."""

from __future__ import annotations

import json
import sys
import threading
import uuid

import botocore.client
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.admin_support import api, new_customer, online_rows, scan, session_check
from tests.support import storefront_event

MIN = 60_000
DELETE = "customers:delete"
NAME = {"email": "gone-marker@example.com", "first": "Gonemarker", "last": "Erasedmarker"}
# Items that may hold the id after a delete: the tombstone, the anonymized orders, the redacted audit.
ALLOWED_PKS = ("DELETED#", "AUDIT#")


def delete(cid):
    """DELETE until done (an invocation slowed down by a concurrent stream may leave pages: 202)."""
    response = api("DELETE", f"/customers/{cid}", scopes=DELETE, sub="admin-9")
    while response[0] == 202:
        response = api("DELETE", f"/customers/{cid}", scopes=DELETE, sub="admin-9")
    return response


def after_delete_events(cid: str, session: str, at: int) -> list[dict]:
    """One event of every kind that writes under a customer (or for its session), all naming it."""
    return [
        storefront_event("customer_logged_in", session, at, customer_id=cid),
        storefront_event("account_updated", session, at + 1, customer_id=cid, data={"first_name": "Back"}),
        storefront_event("cart_item_added", session, at + 2, customer_id=cid, data={"sku": "MH01", "qty": 2}),
        storefront_event("wishlist_item_added", session, at + 3, customer_id=cid, data={"sku": "WT09"}),
        storefront_event("newsletter_subscribed", session, at + 4, customer_id=cid),
        storefront_event("order_placed", session, at + 5, customer_id=cid, data={"order_id": "o-after"}),
        storefront_event("review_submitted", session, at + 6, customer_id=cid, data={"sku": "WT09", "rating": 4}),
        storefront_event("checkout_draft_saved", session, at + 7, customer_id=cid,
                         data={"street": "1 Draft Road", "telephone": "+44 7000 000"}),
    ]


def items_under(aws, cid: str, sessions=()) -> list[dict]:
    """Items naming the customer or its sessions, other than the allowed ones (tombstone, orders, audit)."""
    found = []
    for item in scan(aws["tables"]["CustomersTable"]):
        pk, sk = item["pk"]["S"], item["sk"]["S"]
        if pk == f"CUSTOMER#{cid}" and sk == "DELETED" or pk.startswith(ALLOWED_PKS):
            continue
        if cid in json.dumps(item) or any(pk == f"GUEST#{s}" for s in sessions):
            found.append(item)
    return found


def presence_of(aws, cid: str) -> list[dict]:
    return [i for i in scan(aws["tables"]["PresenceTable"]) if cid in json.dumps(i) or NAME["email"] in json.dumps(i)]


def shown(cid: str, sessions) -> list[str]:
    """Where the customer still shows: an online row, or a session check saying signed in."""
    rows = [f"online row {s}" for s, row in online_rows().items() if row["customer_id"] == cid]
    return rows + [f"signed in {s}" for s in sessions if session_check(s)["signed_in"]]


def test_events_after_a_delete_are_dropped_leave_nothing_and_show_nothing(aws, clock, ingest, capfd, caplog):
    cid = new_customer(NAME["email"], first=NAME["first"], last=NAME["last"], assist=False)
    assert ingest([storefront_event("customer_logged_in", "v-1", clock.now_ms - MIN, customer_id=cid)]) == [False]
    assert delete(cid)[0] == 204
    capfd.readouterr()
    clock.advance(minutes=1)
    events = after_delete_events(cid, "v-1", clock.now_ms - 500) + after_delete_events(cid, "v-new", clock.now_ms)
    events.append(storefront_event("customer_logged_out", "v-1", clock.now_ms, customer_id=cid))
    # dropped, not failed: nothing to retry, nothing for the dead-letter queue
    assert ingest(events) == [False] * len(events)

    assert items_under(aws, cid, ["v-1", "v-new"]) == []
    assert presence_of(aws, cid) == []
    assert shown(cid, ["v-1", "v-new"]) == []
    assert api("GET", f"/customers/{cid}")[0] == 404
    output = capfd.readouterr().out
    metrics = [json.loads(line) for line in output.splitlines() if "EventsDroppedDeletedCustomer" in line]
    assert metrics and metrics[-1]["EventsDroppedDeletedCustomer"] == [len(events)]
    dropped = [r for r in caplog.records if r.getMessage() == "event dropped: customer deleted"]
    assert len(dropped) == len(events) and NAME["email"] not in output + caplog.text


def test_a_registration_naming_a_deleted_id_is_dropped_and_binds_nothing(aws, clock, ingest):
    from tests.support import registered

    cid = new_customer(NAME["email"], assist=False)
    assert delete(cid)[0] == 204
    clock.advance(minutes=1)
    signup = registered("v-2", cid, clock.now_ms, "again@example.com", first="Again")
    assert ingest([signup, storefront_event("cart_item_added", "v-2", clock.now_ms + 1, customer_id=cid,
                                            data={"sku": "A"})]) == [False, False]
    assert items_under(aws, cid, ["v-2"]) == [] and shown(cid, ["v-2"]) == []
    assert "again@example.com" not in json.dumps(scan(aws["tables"]["PresenceTable"]))


def test_admin_writes_after_a_delete_are_404_and_write_nothing(aws, clock, ingest):
    cid = new_customer(NAME["email"])
    assert delete(cid)[0] == 204
    for method, path, body, scopes in [
        ("PUT", f"/customers/{cid}/cart/items/A", {"qty": 1}, "customers:write"),
        ("POST", f"/customers/{cid}/orders", {"items": [{"sku": "A", "qty": 1, "price": "1.00"}]}, "customers:write"),
        ("POST", f"/customers/{cid}/store-credit/adjustments", {"amount": "1.00", "reason": "x"}, "customers:write"),
        ("PUT", f"/customers/{cid}/newsletter", {"website_id": "base", "subscribed": True}, "customers:write"),
        ("POST", f"/customers/{cid}/login-as", None, "customers:assist"),
        ("POST", f"/customers/{cid}/force-sign-in", None, "customers:credentials"),
        ("POST", f"/customers/{cid}/password-reset", None, "customers:credentials"),
    ]:
        assert api(method, path, body, scopes=scopes)[0] == 404, path
    assert items_under(aws, cid) == []


# ---------------------------------------------------------------- races
@pytest.fixture
def atomic_requests(monkeypatch):
    """Each DynamoDB request applies atomically, as in DynamoDB (moto alone does not lock between
    threads); requests of different threads still interleave in any order."""
    lock = threading.RLock()
    original = botocore.client.BaseClient._make_api_call

    def call(self, operation_name, api_params):
        if self.meta.service_model.service_name != "dynamodb":
            return original(self, operation_name, api_params)
        with lock:
            return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", call)
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(old)


def test_events_racing_with_a_delete_leave_no_item_and_no_online_row(aws, clock, ingest, atomic_requests):
    cid = new_customer(NAME["email"], first=NAME["first"], last=NAME["last"], assist=False)
    sessions = [f"v-race-{n}" for n in range(4)]
    start = clock.now_ms - 2 * MIN
    batches = []
    for n in range(12):
        session = sessions[n % len(sessions)]
        at = start + n * 1000
        batches.append(after_delete_events(cid, session, at)[: 2 + n % 7])
    outcomes: list[object] = []
    started = threading.Event()

    def stream():
        started.set()
        for batch in batches:
            outcomes.append(ingest(batch))

    worker = threading.Thread(target=stream)
    worker.start()
    started.wait()
    assert delete(cid)[0] == 204
    worker.join(timeout=120)
    assert not worker.is_alive()
    assert len(outcomes) == len(batches)
    # whatever the interleaving: nothing under the id, nothing online, no session signed in
    assert items_under(aws, cid, sessions) == []
    assert shown(cid, sessions) == []
    assert presence_of(aws, cid) == []


KINDS = ["customer_logged_in", "account_updated", "cart_item_added", "wishlist_item_added", "newsletter_subscribed",
         "order_placed", "review_submitted", "checkout_draft_saved", "customer_logged_out"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=8),
       sessions=st.lists(st.sampled_from(["a", "b", "c"]), min_size=8, max_size=8),
       cut=st.integers(min_value=0, max_value=400))
def test_property_any_interleaving_of_a_delete_with_events_leaves_nothing(aws, clock, ingest, kinds, sessions, cut):
    """The delete runs right before the `cut`-th DynamoDB request made while the events are ingested
    (or after them all): any point of any batch, including between a read and its conditional write."""
    from tests.integration.lambdas import RUNTIME  # noqa: F401 - the ingest fixture's runtime

    cid = new_customer(f"p-{uuid.uuid4().hex[:8]}@example.com", first=NAME["first"], last=NAME["last"], assist=False)
    names = {s: f"v-{cid[:8]}-{s}" for s in "abc"}
    at = clock.now_ms - MIN
    events = []
    for n, kind in enumerate(kinds):
        session = names[sessions[n]]
        data = {"customer_logged_in": {}, "account_updated": {"company": "Co"}, "cart_item_added": {"sku": "A"},
                "wishlist_item_added": {"sku": "W"}, "newsletter_subscribed": {}, "order_placed": {"order_id": f"o{n}"},
                "review_submitted": {"sku": "W"}, "checkout_draft_saved": {"street": "1 Draft Road"},
                "customer_logged_out": {}}[kind]
        events.append(storefront_event(kind, session, at + n * 10, customer_id=cid, data=data))

    calls = {"n": 0, "deleted": False}
    original = botocore.client.BaseClient._make_api_call

    def call(self, operation_name, api_params):
        if self.meta.service_model.service_name == "dynamodb" and not calls["deleted"]:
            calls["n"] += 1
            if calls["n"] > cut:
                calls["deleted"] = True
                assert delete(cid)[0] == 204
        return original(self, operation_name, api_params)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.client.BaseClient, "_make_api_call", call)
        ingest(events)
        ingest(events)  # redelivered (failed or not): still nothing
    if not calls["deleted"]:
        assert delete(cid)[0] == 204
    assert items_under(aws, cid, list(names.values())) == []
    assert shown(cid, list(names.values())) == []
    assert presence_of(aws, cid) == []


# ---------------------------------------------------------------- erasure coverage
ERASED = {"email": "scan-marker@example.com", "first": "Scanfirstmarker", "last": "Scanlastmarker",
          "street": "12 Scanmarker Street", "phone": "+44 7999 123456", "reason": "Scanreasonmarker goodwill"}


def test_after_a_delete_no_table_holds_the_customers_data(aws, clock, ingest):
    """Every table built from template.yaml, scanned: the erased values are nowhere, and the id only
    in the kept items (tombstone, anonymized orders, redacted audit)."""
    address = {"first_name": ERASED["first"], "last_name": ERASED["last"], "street": [ERASED["street"]],
               "city": "Leeds", "country_id": "GB", "telephone": ERASED["phone"]}
    cid = new_customer(ERASED["email"], first=ERASED["first"], last=ERASED["last"], addresses=[address])
    at = clock.now_ms - 10 * MIN
    draft = {"street": ERASED["street"], "telephone": ERASED["phone"], "email": ERASED["email"]}
    events = [
        storefront_event("customer_logged_in", "v-used", at, customer_id=cid),
        storefront_event("cart_item_added", "v-used", at + 1000, customer_id=cid, data={"sku": "A"}),
        storefront_event("customer_logged_out", "v-used", at + 2000, customer_id=cid),
        # still the customer, signed out: unsaved data on a session the customer used
        storefront_event("checkout_draft_saved", "v-used", at + 3000, data=draft),
        storefront_event("cart_item_added", "v-used", at + 4000, data={"sku": "B", "name": ERASED["last"]}),
        storefront_event("checkout_draft_saved", "v-other", at + 5000, customer_id=cid, data=draft),
    ]
    assert ingest(events) == [False] * len(events)
    key = {"idempotency-key": "k-1"}
    assert api("POST", f"/customers/{cid}/store-credit/adjustments", {"amount": "5.00", "reason": ERASED["reason"]},
               headers=key)[0] == 201
    assert api("POST", f"/customers/{cid}/orders", {"items": [{"sku": "A", "qty": 1, "price": "3.00"}]},
               headers={"idempotency-key": "k-2"})[0] == 201
    assert api("POST", f"/customers/{cid}/force-sign-in", scopes="customers:credentials",
               headers={"idempotency-key": "k-3"})[0] == 200
    tables = {name: aws["tables"][name] for name in ("CustomersTable", "PresenceTable", "IdempotencyTable")}
    everything = json.dumps({name: scan(table) for name, table in tables.items()}).lower()
    assert all(value.lower() in everything for value in ERASED.values()), "the set-up puts every value somewhere"
    assert len(scan(tables["IdempotencyTable"])) == 3

    assert delete(cid)[0] == 204

    leftovers = []
    for name, table in tables.items():
        for item in scan(table):
            text = json.dumps(item).lower()
            leaked = [field for field, value in ERASED.items() if value.lower() in text]
            pk = item.get("pk", {}).get("S", "")
            tombstone = pk == f"CUSTOMER#{cid}" and item["sk"]["S"] == "DELETED"
            kept = pk in (f"DELETED#{cid}", f"AUDIT#{cid}") or tombstone
            if leaked or (cid in text and not kept):
                leftovers.append((name, pk or item.get("id", {}).get("S"), leaked))
    assert leftovers == []
    assert scan(tables["IdempotencyTable"]) == []


def test_a_replayed_idempotency_key_of_a_deleted_customer_answers_404(aws, clock):
    cid = new_customer(ERASED["email"])
    body, key = {"amount": "5.00", "reason": "goodwill"}, {"idempotency-key": "replay-1"}
    path = f"/customers/{cid}/store-credit/adjustments"
    assert api("POST", path, body, headers=key)[0] == 201
    status, _, headers = api("POST", path, body, headers=key)
    assert status == 201 and headers.get("Idempotent-Replayed") == "true"  # replays work before the delete
    assert delete(cid)[0] == 204
    status, error, headers = api("POST", path, body, headers=key)
    assert status == 404 and error["error"]["code"] == "not_found" and "Idempotent-Replayed" not in headers
    assert scan(aws["tables"]["IdempotencyTable"]) == []


def test_an_idempotent_request_racing_with_the_delete_leaves_no_record(aws, clock):
    """The delete lands between the action and Powertools' success update: the response is not
    written back (the record stays erased) and the caller gets 404, never a replayable 201."""
    cid = new_customer(ERASED["email"])
    table = aws["tables"]["IdempotencyTable"]
    original = botocore.client.BaseClient._make_api_call
    raced = []

    def call(self, operation_name, api_params):
        if operation_name == "UpdateItem" and api_params.get("TableName") == table and not raced:
            raced.append(True)
            assert delete(cid)[0] == 204
        return original(self, operation_name, api_params)

    body = {"amount": "5.00", "reason": ERASED["reason"]}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(botocore.client.BaseClient, "_make_api_call", call)
        status, error, _ = api("POST", f"/customers/{cid}/store-credit/adjustments", body,
                               headers={"idempotency-key": "race-1"})
    assert raced and status == 404 and error["error"]["code"] == "not_found"
    assert scan(table) == []
    replay = api("POST", f"/customers/{cid}/store-credit/adjustments", body, headers={"idempotency-key": "race-1"})
    assert replay[0] == 404
    assert ERASED["reason"].lower() not in json.dumps(scan(aws["tables"]["CustomersTable"])).lower()
