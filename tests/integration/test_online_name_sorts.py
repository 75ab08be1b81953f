"""Name and email sorts read their keys-only indexes; the sweeper takes sessions that left out (issue 24 item 3)."""

from __future__ import annotations

import boto3
from shopadmin.dal.tables import PresenceItem

from local.scheduler import scheduled_event
from local.template import Schedule
from tests.integration.admin_support import api, new_customer
from tests.integration.lambdas import RUNTIME
from tests.support import registered, storefront_event

MIN = 60_000


def listed(**query) -> list[str]:
    """Every page of the online list in this order, by session id."""
    seen, cursor = [], None
    while True:
        status, body, _ = api("GET", "/online-customers", scopes="online:read",
                              query={**query, **({"cursor": cursor} if cursor else {})})
        assert status == 200, body
        seen += [row["session_id"] for row in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen


def sweep() -> int:
    return RUNTIME.invoke("OnlineSweeperFunction", scheduled_event(Schedule("OnlineSweeperFunction", 60)))["swept"]


def row(session_id: str) -> dict:
    return boto3.client("dynamodb").get_item(TableName=PresenceItem.Meta.table_name,
                                             Key={"session_id": {"S": session_id}}, ConsistentRead=True)["Item"]


def seed(ingest, now):
    failed = ingest([
        registered("s-nguyen", "c-1", now - MIN, "zed@example.com", last="Nguyen"),
        registered("s-ada", "c-2", now - 2 * MIN, "bea@example.com", last="ada"),
        registered("s-byron", "c-3", now - 3 * MIN, "amy@example.com", last="Byron"),
        registered("s-gone", "c-4", now - 20 * MIN, "aaa@example.com", last="Aaron"),  # left the window
        storefront_event("cart_item_added", "v-1", now - MIN, data={"sku": "A"}),
    ])
    assert not any(failed)


def test_name_and_email_sorts_page_in_order_without_the_sessions_that_left(ingest, clock):
    seed(ingest, clock.now_ms)
    assert listed(sort="last_name", limit="2") == ["v-1", "s-ada", "s-byron", "s-nguyen"]
    assert listed(sort="-last_name", limit="3") == ["s-nguyen", "s-byron", "s-ada", "v-1"]
    assert listed(sort="email", type="customer", limit="1") == ["s-byron", "s-ada", "s-nguyen"]
    assert listed(sort="-email", type="visitor") == ["v-1"]


def test_a_name_sorted_page_reads_keys_then_only_its_rows(ingest, clock, dynamo_calls):
    seed(ingest, clock.now_ms)
    dynamo_calls.reset()
    assert listed(sort="last_name", limit="50") == ["v-1", "s-ada", "s-byron", "s-nguyen"]
    assert dynamo_calls["BatchGetItem"] == 1  # the page's rows (and the one that left), read once
    assert dynamo_calls["Scan"] == 0


def test_an_admin_rename_moves_the_session_in_the_name_sort(ingest, clock):
    cid = new_customer("zoe@example.com", last="Zimmer", assist=False)
    assert not any(ingest([registered("s-ada", "c-2", clock.now_ms - MIN, "bea@example.com", last="Ada"),
                           storefront_event("customer_logged_in", "s-zoe", clock.now_ms - MIN, customer_id=cid)]))
    assert listed(sort="last_name", type="customer") == ["s-ada", "s-zoe"]
    _, _, headers = api("GET", f"/customers/{cid}")
    body = {"email": "zoe@example.com", "first_name": "Ada", "last_name": "Abel", "website_id": "base"}
    status, saved, _ = api("PUT", f"/customers/{cid}", body, headers={"if-match": headers["ETag"]})
    assert status == 200, saved
    assert listed(sort="last_name", type="customer") == ["s-zoe", "s-ada"]


def test_the_sweeper_takes_out_only_sessions_that_left_and_an_event_brings_one_back(ingest, clock):
    seed(ingest, clock.now_ms)
    assert "online_pk" in row("s-gone")
    version = int(row("s-gone")["version"]["N"])
    assert sweep() == 1
    assert "online_pk" not in row("s-gone") and "online_sk" not in row("s-gone")
    assert int(row("s-gone")["version"]["N"]) == version + 1  # a change like any other: never back to 1
    assert "online_pk" in row("s-ada")
    assert sweep() == 0  # nothing left below the window
    assert not any(ingest([storefront_event("cart_item_added", "s-gone", clock.now_ms, data={"sku": "B"})]))
    # back as a visitor (a new activity run: its sign-in stayed with the run that ended)
    assert listed(sort="last_name") == ["s-gone", "v-1", "s-ada", "s-byron", "s-nguyen"]
    clock.advance(minutes=30)
    assert sweep() == 5
    assert listed(sort="last_name") == []


def test_a_row_an_event_moved_after_the_sweeper_read_it_stays(ingest, clock, monkeypatch):
    from shopadmin import wiring

    seed(ingest, clock.now_ms)
    stale_key, stale_version = row("s-gone")["online_sk"]["S"], int(row("s-gone")["version"]["N"])
    assert not any(ingest([storefront_event("cart_item_added", "s-gone", clock.now_ms, data={"sku": "B"})]))
    # the sweeper's read answered before the event's write landed: it still sees the old key
    answered = PresenceItem("s-gone", online_sk=stale_key, version=stale_version)
    monkeypatch.setattr(type(PresenceItem.online_by_activity), "query", lambda self, *a, **kw: iter([answered]))
    assert wiring.presence_store().sweep_partition(row("s-gone")["online_pk"]["S"], "9", 100) == 0
    assert row("s-gone")["online_sk"]["S"] != stale_key
    monkeypatch.undo()
    assert "s-gone" in listed(sort="last_name")


# ------------------------------------------------------------------ the text search (q) in activity order
def test_a_search_reads_its_bucket_then_only_its_rows_and_follows_renames_and_the_sweeper(ingest, clock,
                                                                                          dynamo_calls):
    seed(ingest, clock.now_ms)  # first names are all "Ada" (registered's default)
    assert listed(q="a", limit="1") == ["s-nguyen", "s-ada", "s-byron"]  # first name Ada; s-gone left
    assert listed(q="AMY") == ["s-byron"] and listed(q="ng") == ["s-nguyen"]  # an email, a last name
    assert listed(q="a", type="visitor") == [] and listed(q="ad", sort="last_activity") == [
        "s-byron", "s-ada", "s-nguyen"]
    assert listed(q="a", sort="last_name", limit="2") == ["s-ada", "s-byron", "s-nguyen"]
    assert listed(q="a", sort="-email") == ["s-nguyen", "s-ada", "s-byron"]  # zed@, bea@, amy@
    dynamo_calls.reset()
    listed(q="ng")
    searched = {params.get("IndexName") for name, params in dynamo_calls.log if name == "Query"}
    assert searched == {"online-search-1", "online-search-2", "online-search-3"}  # never the activity index
    # the admin renames c-1: its row moves to another bucket in the same transaction
    status, body, _ = api("PATCH", "/customers/c-1", {"email": "quinn@example.com"}, headers={"If-Match": '"1"'})
    assert status == 200, body
    assert listed(q="quinn") == ["s-nguyen"] and listed(q="zed") == []
    # leaving the window: swept out of the search indexes with the others
    clock.advance(minutes=20)
    assert sweep() == 5  # the four customers and the visitor
    assert listed(q="a") == []
    assert "online_sk" not in row("s-ada") and row("s-ada")["search_pk_1"]["S"].endswith("#a")
