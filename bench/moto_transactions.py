"""moto's TransactWriteItems with and without local/moto_transactions.py, side by side (issue 24, item 6).

One 2-item transaction (a put guarded by attribute_not_exists and an update) on a table that holds
--small, then --large items, run with moto's own whole-table backup and with the item backup;
prints median ms and the ratios. Only the emulator changes: the product's writes are the same.
"""

from __future__ import annotations

import argparse
import uuid

import boto3
from moto import mock_aws

from bench._support import machine, median, timed
from local import moto_transactions


def _table(client, items: int) -> None:
    client.create_table(TableName="T", BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "S"}])
    for start in range(0, items, 25):
        client.batch_write_item(RequestItems={"T": [
            {"PutRequest": {"Item": {"pk": {"S": f"CUSTOMER#{n}"}, "sk": {"S": "PROFILE"},
                                     "email": {"S": f"c{n}@example.com"}, "v": {"N": "1"}}}}
            for n in range(start, min(start + 25, items))]})


def _one_transaction(client) -> None:
    key = uuid.uuid4().hex
    client.transact_write_items(TransactItems=[
        {"Put": {"TableName": "T", "Item": {"pk": {"S": f"CUSTOMER#{key}"}, "sk": {"S": "PROFILE"}},
                 "ConditionExpression": "attribute_not_exists(pk)"}},
        {"Update": {"TableName": "T", "Key": {"pk": {"S": "CUSTOMER#0"}, "sk": {"S": "PROFILE"}},
                    "UpdateExpression": "SET v = v + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}}])


def measure(items: int, repeat: int, patched: bool) -> float:
    (moto_transactions.install if patched else moto_transactions.uninstall)()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _table(client, items)
        return median([timed(_one_transaction, client)[0] for _ in range(repeat)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"moto TransactWriteItems, 2 items, on a table of {args.small} then {args.large} items; "
          f"{args.repeat} repetitions; {machine()}")
    results = {}
    for items in (args.small, args.large):
        for patched in (False, True):
            results[items, patched] = measure(items, args.repeat, patched)
            label = "item backup (local/moto_transactions.py)" if patched else "moto's whole-table backup"
            print(f"  {items:>6} items  {label:<42} median {results[items, patched]:8.2f} ms")
    moto_transactions.install()
    for items in (args.small, args.large):
        print(f"  ratio moto / item backup at {items:>6} items  {results[items, False] / results[items, True]:8.2f}")
    growth_moto = results[args.large, False] / results[args.small, False]
    growth_items = results[args.large, True] / results[args.small, True]
    print(f"  ratio {args.large}/{args.small} items: moto {growth_moto:.2f}, item backup {growth_items:.2f}")


if __name__ == "__main__":
    main()
