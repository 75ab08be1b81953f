"""The grid indexes are write-sharded (issue 24 item 7): new profiles spread out, pages merge the shards in order."""

from __future__ import annotations

import boto3
from shopadmin.dal.keys import GRID_SHARD_COUNT, LEGACY_GRID_PARTITION
from shopadmin.dal.tables import ProfileItem

from tests.integration.admin_support import api, scan


def grid(**query) -> dict:
    status, page, _ = api("GET", "/customers", query={k: str(v) for k, v in query.items()})
    assert status == 200, page
    return page


def every_page(**query) -> list[dict]:
    rows, cursor = [], None
    while True:
        page = grid(**query, **({"cursor": cursor} if cursor else {}))
        rows += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return rows


def create(count: int, clock) -> list[str]:
    ids = []
    for i in range(count):
        clock.advance(seconds=1)
        status, customer, _ = api("POST", "/customers", {"email": f"p{i:02d}@example.com", "first_name": "P",
                                                         "last_name": f"N{(i * 7) % count:02d}", "website_id": "base"})
        assert status == 201, customer
        ids.append(customer["id"])
    return ids


def profiles() -> dict[str, dict]:
    items = scan(ProfileItem.Meta.table_name)
    return {item["customer_id"]["S"]: item for item in items if item["sk"]["S"] == "PROFILE"}


def test_new_profiles_spread_over_the_shards_and_every_sort_pages_in_order(aws, clock):
    ids = create(24, clock)
    partitions = {item["grid_pk"]["S"] for item in profiles().values()}
    assert len(partitions) >= GRID_SHARD_COUNT // 2 and LEGACY_GRID_PARTITION not in partitions
    assert [c["id"] for c in every_page(limit=5)] == list(reversed(ids))
    assert [c["id"] for c in every_page(sort="created_at", limit=7)] == ids
    names = [c["last_name"] for c in every_page(sort="last_name", limit=4)]
    assert names == sorted(names) and len(names) == 24
    emails = [c["email"] for c in every_page(sort="-email", limit=6)]
    assert emails == sorted(emails, reverse=True) and len(set(emails)) == 24
    assert {c["email"] for c in grid(q="p1")["items"]} == {f"p1{i}@example.com" for i in range(10)}


def test_a_profile_saved_before_the_shards_is_listed_and_moves_to_its_shard_when_saved(aws, clock):
    ids = create(5, clock)
    # as stored by the version before the shards: every profile in one partition
    table = boto3.client("dynamodb")
    old = ids[2]
    table.update_item(TableName=ProfileItem.Meta.table_name,
                      Key={"pk": {"S": f"CUSTOMER#{old}"}, "sk": {"S": "PROFILE"}},
                      UpdateExpression="SET grid_pk = :legacy",
                      ExpressionAttributeValues={":legacy": {"S": "CUSTOMERS"}})
    assert [c["id"] for c in every_page(limit=2)] == list(reversed(ids))
    status, _, headers = api("GET", f"/customers/{old}")
    status, _, _ = api("PATCH", f"/customers/{old}", {"taxvat": "FR1"}, headers={"if-match": headers["ETag"]})
    assert status == 200
    assert profiles()[old]["grid_pk"]["S"].startswith(f"{LEGACY_GRID_PARTITION}#")
    assert [c["id"] for c in every_page(limit=2)] == list(reversed(ids))
