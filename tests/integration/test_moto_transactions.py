"""local/moto_transactions.py gives the same answers and the same tables as moto's own TransactWriteItems."""

from __future__ import annotations

import boto3
import botocore.exceptions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws

from local import moto_transactions

KEYS = [("A", "1"), ("A", "2"), ("B", "1"), ("C", "9")]


def _key(pk, sk):
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _table_holding_one_item():
    """Inside mock_aws: table T (pk, sk) holding A/1 with v = 5."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    client.create_table(TableName="T", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "S"}])
    client.put_item(TableName="T", Item={**_key("A", "1"), "v": {"N": "5"}})
    return client


operations = st.one_of(
    st.builds(lambda k, v, guard: {"Put": {"TableName": "T", "Item": {**_key(*k), "v": {"N": str(v)}},
                                           **({"ConditionExpression": "attribute_not_exists(pk)"} if guard else {})}},
              st.sampled_from(KEYS), st.integers(0, 9), st.booleans()),
    st.builds(lambda k, guard: {"Delete": {"TableName": "T", "Key": _key(*k),
                                           **({"ConditionExpression": "attribute_exists(pk)"} if guard else {})}},
              st.sampled_from(KEYS), st.booleans()),
    st.builds(lambda k, v: {"Update": {"TableName": "T", "Key": _key(*k), "UpdateExpression": "SET v = :v",
                                       "ConditionExpression": "attribute_not_exists(v) OR v < :v",
                                       "ExpressionAttributeValues": {":v": {"N": str(v)}}}},
              st.sampled_from(KEYS), st.integers(0, 9)),
    st.builds(lambda k: {"ConditionCheck": {"TableName": "T", "Key": _key(*k),
                                            "ConditionExpression": "attribute_exists(pk)"}}, st.sampled_from(KEYS)),
)
histories = st.lists(st.lists(operations, min_size=1, max_size=4), min_size=1, max_size=6)


def _run(history):
    """Each transaction's outcome and the table after all of them, on a fresh moto."""
    with mock_aws():
        client = _table_holding_one_item()
        outcomes = []
        for transaction in history:
            try:
                client.transact_write_items(TransactItems=transaction)
                outcomes.append("ok")
            except botocore.exceptions.ClientError as error:
                reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
                outcomes.append((error.response["Error"]["Code"], reasons))
        items = sorted(client.scan(TableName="T")["Items"], key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
        return outcomes, items


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(history=histories)
def test_the_item_backup_answers_and_rolls_back_as_moto_does(history):
    moto_transactions.uninstall()
    try:
        expected = _run(history)
    finally:
        moto_transactions.install()
    assert _run(history) == expected


def test_a_cancelled_transaction_leaves_every_touched_item_as_it_was():
    moto_transactions.install()
    with mock_aws():
        client = _table_holding_one_item()
        try:
            client.transact_write_items(TransactItems=[
                {"Put": {"TableName": "T", "Item": {**_key("B", "1"), "v": {"N": "1"}}}},
                {"Delete": {"TableName": "T", "Key": _key("A", "1")}},
                {"ConditionCheck": {"TableName": "T", "Key": _key("C", "9"),
                                    "ConditionExpression": "attribute_exists(pk)"}}])
        except botocore.exceptions.ClientError as error:
            assert error.response["Error"]["Code"] == "TransactionCanceledException"
        else:
            raise AssertionError("the condition check should have cancelled the transaction")
        assert client.scan(TableName="T")["Items"] == [{**_key("A", "1"), "v": {"N": "5"}}]
