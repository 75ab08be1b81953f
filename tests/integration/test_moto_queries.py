"""local/moto_queries.py gives the same pages as moto's own Query, on tables and on indexes."""

from __future__ import annotations

import boto3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from local import moto_queries

PARTITIONS = ["A", "B", "C"]
items = st.lists(st.fixed_dictionaries({
    "pk": st.sampled_from(PARTITIONS), "sk": st.integers(0, 30),
    "g": st.one_of(st.none(), st.sampled_from(["x", "y"])),
    "gs": st.one_of(st.none(), st.sampled_from(["a", "ab", "b"])),
    "v": st.integers(0, 3)}), max_size=25)
queries = st.fixed_dictionaries({
    "index": st.sampled_from([None, "by_g", "by_g_only"]),
    "partition": st.sampled_from(PARTITIONS + ["x", "y", "z"]),
    "range": st.sampled_from([None, ">=", "between", "begins_with"]),
    "limit": st.one_of(st.none(), st.integers(1, 5)),
    "forward": st.booleans(),
    "filtered": st.booleans(),
})


def _table(client):
    attributes = [("pk", "S"), ("sk", "N"), ("g", "S"), ("gs", "S")]
    client.create_table(
        TableName="T", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in attributes],
        GlobalSecondaryIndexes=[
            {"IndexName": "by_g", "Projection": {"ProjectionType": "ALL"},
             "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "gs", "KeyType": "RANGE"}]},
            {"IndexName": "by_g_only", "Projection": {"ProjectionType": "KEYS_ONLY"},
             "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])


def _request(query):
    index = query["index"]
    partition = "g" if index else "pk"
    kwargs = {"TableName": "T", "ScanIndexForward": query["forward"],
              "ExpressionAttributeValues": {":p": {"S": query["partition"]}}}
    condition = f"{partition} = :p"
    if index:
        kwargs["IndexName"] = index
    if query["range"] and index != "by_g_only":
        if index == "by_g":
            condition += {">=": " AND gs >= :r", "between": " AND gs BETWEEN :r AND :s",
                          "begins_with": " AND begins_with(gs, :r)"}[query["range"]]
            kwargs["ExpressionAttributeValues"] |= {":r": {"S": "a"}, ":s": {"S": "ab"}}
        elif query["range"] != "begins_with":
            condition += {">=": " AND sk >= :r", "between": " AND sk BETWEEN :r AND :s"}[query["range"]]
            kwargs["ExpressionAttributeValues"] |= {":r": {"N": "5"}, ":s": {"N": "20"}}
    if query["filtered"] and index != "by_g_only":
        kwargs["FilterExpression"] = "v >= :v"
        kwargs["ExpressionAttributeValues"] |= {":v": {"N": "1"}}
    if query["limit"]:
        kwargs["Limit"] = query["limit"]
    kwargs["KeyConditionExpression"] = condition
    return kwargs


def _pages(stored, asked):
    """Every page of every query (items, counts, resume keys), on a fresh moto holding `stored`."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _table(client)
        for item in stored:
            record = {"pk": {"S": item["pk"]}, "sk": {"N": str(item["sk"])}, "v": {"N": str(item["v"])}}
            record |= {name: {"S": item[name]} for name in ("g", "gs") if item[name] is not None}
            client.put_item(TableName="T", Item=record)
        answers = []
        for query in asked:
            request, start = _request(query), None
            while True:
                page = client.query(**request, **({"ExclusiveStartKey": start} if start else {}))
                answers.append((page["Items"], page["Count"], page["ScannedCount"], page.get("LastEvaluatedKey")))
                start = page.get("LastEvaluatedKey")
                if not start:
                    break
        return answers


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stored=items, asked=st.lists(queries, min_size=1, max_size=4))
def test_queries_answer_as_moto_does(stored, asked):
    moto_queries.uninstall()
    try:
        expected = _pages(stored, asked)
    finally:
        moto_queries.install()
    assert _pages(stored, asked) == expected


def test_a_table_query_reads_only_its_partition(monkeypatch):
    moto_queries.install()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _table(client)
        for pk in PARTITIONS:
            for sk in range(3):
                client.put_item(TableName="T", Item={"pk": {"S": pk}, "sk": {"N": str(sk)}})
        seen = []
        real = moto_queries._all_items
        monkeypatch.setattr(moto_queries.Table, "all_items", lambda table: seen.append(len(real(table))) or real(table))
        page = client.query(TableName="T", KeyConditionExpression="pk = :p",
                            ExpressionAttributeValues={":p": {"S": "B"}})
        assert [int(i["sk"]["N"]) for i in page["Items"]] == [0, 1, 2]
        assert seen == [3]  # the partition, not the table's 9 items
