"""local/moto_atomic.py: concurrent requests to moto apply whole, as DynamoDB applies them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
from moto import mock_aws

from local import moto_atomic

THREADS, ADDS = 8, 60


def _concurrent_adds() -> int:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(TableName="T", BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])

        def add(_: int) -> None:
            for _ in range(ADDS):
                client.update_item(TableName="T", Key={"pk": {"S": "counter"}}, UpdateExpression="ADD n :one",
                                   ExpressionAttributeValues={":one": {"N": "1"}})

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(add, range(THREADS)))
        return int(client.get_item(TableName="T", Key={"pk": {"S": "counter"}})["Item"]["n"]["N"])


def test_no_increment_is_lost_between_threads():
    moto_atomic.install()
    assert _concurrent_adds() == THREADS * ADDS
