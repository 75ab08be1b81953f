"""Handlers against moto in-process, with tables, queues and the bus built from template.yaml."""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import contextmanager

import boto3
import botocore.client
import pytest
from moto import mock_aws

from local import moto_patches, template
from tests.integration.admin_support import BusCapture
from tests.integration.lambdas import RUNTIME
from tests.support import FakeClock, register_websites, sqs_event

# moto's costs (whole-table copies and sorts) and gaps (threads interleaving inside one request)
moto_patches.install()


class DynamoCalls:
    """Counts DynamoDB operations by name (boto3 and PynamoDB both go through botocore)."""

    def __init__(self):
        self.counts: Counter = Counter()
        self.log: list[tuple[str, dict]] = []
        self.lock = threading.Lock()  # the ingest and the summary call from several threads

    def reset(self):
        self.counts.clear()
        self.log.clear()

    def __getitem__(self, name: str) -> int:
        return self.counts[name]


@pytest.fixture
def dynamo_calls(monkeypatch) -> DynamoCalls:
    calls = DynamoCalls()
    original = botocore.client.BaseClient._make_api_call

    def counting(self, operation_name, api_params):
        if self.meta.service_model.service_name == "dynamodb":
            with calls.lock:
                calls.counts[operation_name] += 1
                calls.log.append((operation_name, api_params))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", counting)
    return calls


@pytest.fixture
def aws(monkeypatch):
    """moto with every table, queue and bus of the template; env as Lambda would see it."""
    with local_stack(monkeypatch) as resources:
        yield resources


@contextmanager
def local_stack(monkeypatch):
    """The `aws` fixture's stack as a context manager (tests that run several stacks in turn)."""
    with mock_aws():
        cfn = template.translated()
        tables = template.create_tables(boto3.client("dynamodb"), cfn)
        queues = template.create_queues(boto3.client("sqs"), cfn)
        buses = template.create_event_routing(boto3.client("events"), queues, cfn)
        buckets = template.create_buckets(boto3.client("s3"), cfn)
        monkeypatch.setenv("EXPORTS_BUCKET", buckets["ExportsBucket"])
        secrets = template.create_secrets(boto3.client("secretsmanager"), cfn)
        monkeypatch.setenv("PRESENCE_TABLE", tables["PresenceTable"])
        monkeypatch.setenv("CUSTOMERS_TABLE", tables["CustomersTable"])
        monkeypatch.setenv("IDEMPOTENCY_TABLE", tables["IdempotencyTable"])
        monkeypatch.setenv("EVENT_BUS_NAME", buses["StorefrontBus"])
        monkeypatch.setenv("EVENTS_QUEUE_URL", queues["EventsQueue"]["url"])
        monkeypatch.setenv("ONLINE_SHARD_COUNT", "4")
        monkeypatch.setenv("CURSOR_SECRET_ARN", secrets["CursorSigningKey"])
        from shopadmin import wiring

        wiring.reset()
        register_websites(wiring.customer_store())  # base and fr: what the tests name
        yield {"tables": tables, "queues": queues, "buses": buses, "buckets": buckets, "secrets": secrets}
        wiring.reset()


@pytest.fixture
def clock(aws) -> FakeClock:
    from shopadmin import wiring

    fake = FakeClock()
    wiring.use_clock(fake)
    return fake


@pytest.fixture
def ingest(aws, clock):
    """Run IngestFunction on SQS records with these bodies; returns, per record, whether it failed."""
    return make_ingest()


def make_ingest():
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    def run(bodies):
        event = sqs_event(bodies)
        ids = [r["messageId"] for r in event["Records"]]
        try:
            response = RUNTIME.invoke("IngestFunction", event)
        except BatchProcessingError:  # every record failed: Lambda retries the whole batch
            return [True] * len(ids)
        failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
        return [m in failed for m in ids]

    return run


@pytest.fixture
def faults(monkeypatch):
    """Botocore-level DynamoDB faults (tests/integration/faults.py); no retry ever sleeps."""
    import botocore.endpoint
    from moto.core.botocore_stubber import BotocoreStubber
    from shopadmin import retry

    from tests.integration.faults import DynamoFaults

    injected = DynamoFaults()
    original = BotocoreStubber.__call__

    def call(stubber, event_name, request, **kwargs):
        return injected.handle(original, stubber, event_name, request, **kwargs)

    class _Time:  # botocore.endpoint sleeps between its own retries through `time.sleep`
        sleep = staticmethod(injected.botocore_sleeps.append)

        def __getattr__(self, name):
            import time

            return getattr(time, name)

    monkeypatch.setattr(BotocoreStubber, "__call__", call)
    monkeypatch.setattr(botocore.endpoint, "time", _Time())
    previous = retry.use_sleep(injected.our_sleeps.append)
    yield injected
    retry.use_sleep(previous)


@pytest.fixture
def bus(aws) -> BusCapture:
    """The admin events (source shop-admin) sent to the template's bus, read back from a queue."""
    return BusCapture(aws["buses"]["StorefrontBus"])
