"""The local SQS event source behaves like Lambda's: batching, partial failures, retries, DLQ.

Runs against a real moto server (in this process) with the template's own queues and
redrive policy, and a fake function, so the semantics are pinned down without handlers.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections import Counter

import boto3
import pytest
from moto.server import ThreadedMotoServer

from local import template
from local.poller import SqsPoller

SETTLED_WITHIN_SECONDS = 10


@pytest.fixture(scope="module")
def sqs():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client("sqs", endpoint_url=f"http://{host}:{port}", region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    yield client
    server.stop()


@pytest.fixture
def queues(sqs):
    """The template's queues (events queue + DLQ, maxReceiveCount from the template), fresh per test."""
    return template.create_queues(sqs, prefix=f"t{uuid.uuid4().hex[:8]}-")


class Recorder:
    """A fake ingest function: records every batch, answers with `respond(records)`."""

    def __init__(self, respond=lambda records: None):
        self.respond = respond
        self.batches: list[list[dict]] = []
        self.lock = threading.Lock()

    def __call__(self, event: dict):
        with self.lock:
            self.batches.append(event["Records"])
        return self.respond(event["Records"])

    def seen(self) -> Counter:
        return Counter(r["body"] for batch in self.batches for r in batch)


def start_poller(sqs, queues, function, **overrides) -> SqsPoller:
    # Retries at once and short polling when idle keep these tests fast; the semantics are the same.
    settings = {"batch_size": 10, "batching_window_seconds": 0.2, "report_batch_item_failures": True,
                    "retry_visibility_seconds": 0, "idle_wait_seconds": 0}
    settings.update(overrides)
    queue = queues["EventsQueue"]
    return SqsPoller(sqs, queue["url"], queue["arn"], function, **settings).start()


def send(sqs, queues, *bodies: str) -> None:
    for body in bodies:
        sqs.send_message(QueueUrl=queues["EventsQueue"]["url"], MessageBody=body)


def dlq_bodies(sqs, queues) -> list[str]:
    messages = sqs.receive_message(QueueUrl=queues["EventsDeadLetterQueue"]["url"], MaxNumberOfMessages=10,
                                   VisibilityTimeout=0).get("Messages", [])
    return [m["Body"] for m in messages]


def settle(probe, timeout=SETTLED_WITHIN_SECONDS):
    deadline = time.monotonic() + timeout
    while not probe():
        assert time.monotonic() < deadline, "not settled in time"
        time.sleep(0.1)


def test_template_declares_what_the_poller_reproduces():
    [source] = template.sqs_event_sources()
    assert (source.function, source.queue, source.dead_letter_queue) == (
        "IngestFunction", "EventsQueue", "EventsDeadLetterQueue")
    assert source.report_batch_item_failures
    assert source.max_receive_count == 5  # docs/operations.md: why 5


def test_records_have_lambdas_sqs_shape(sqs, queues):
    function = Recorder()
    sqs.send_message(QueueUrl=queues["EventsQueue"]["url"], MessageBody='{"hello": 1}',
                     MessageAttributes={"kind": {"DataType": "String", "StringValue": "test"}})
    poller = start_poller(sqs, queues, function)
    try:
        settle(lambda: function.batches and poller.queue_depth() == 0)
    finally:
        poller.stop()
    [record] = function.batches[0]
    assert set(record) == {"messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody",
                           "eventSource", "eventSourceARN", "awsRegion"}
    assert record["body"] == '{"hello": 1}'
    assert record["md5OfBody"] == hashlib.md5(b'{"hello": 1}').hexdigest()
    assert (record["eventSource"], record["eventSourceARN"], record["awsRegion"]) == (
        "aws:sqs", queues["EventsQueue"]["arn"], "us-east-1")
    assert {"ApproximateReceiveCount", "SentTimestamp", "SenderId",
            "ApproximateFirstReceiveTimestamp"} <= set(record["attributes"])
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert record["messageAttributes"] == {"kind": {"stringValue": "test", "stringListValues": [],
                                                    "binaryListValues": [], "dataType": "String"}}


def test_failed_items_come_back_until_the_dlq_and_the_rest_is_deleted(sqs, queues):
    def fail_bad(records):
        return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in records if r["body"] == "bad"]}

    function = Recorder(fail_bad)
    send(sqs, queues, "ok-1", "bad", "ok-2")
    poller = start_poller(sqs, queues, function)
    try:
        settle(lambda: poller.queue_depth() == 0 and dlq_bodies(sqs, queues))
    finally:
        poller.stop()
    # maxReceiveCount 5: five attempts, then moto's redrive moves it to the DLQ on the next receive.
    assert function.seen() == Counter({"ok-1": 1, "ok-2": 1, "bad": 5})
    counts = [r["attributes"]["ApproximateReceiveCount"] for b in function.batches for r in b if r["body"] == "bad"]
    assert counts == ["1", "2", "3", "4", "5"]
    assert dlq_bodies(sqs, queues) == ["bad"]


def test_handler_exception_leaves_the_whole_batch(sqs, queues):
    attempts = []

    def crash_once(records):
        attempts.append(len(records))
        if len(attempts) == 1:
            raise RuntimeError("cold start failed")

    function = Recorder(crash_once)
    send(sqs, queues, "a", "b")
    poller = start_poller(sqs, queues, function)
    try:
        settle(lambda: len(attempts) >= 2 and poller.queue_depth() == 0)
    finally:
        poller.stop()
    assert function.seen() == Counter({"a": 2, "b": 2})
    assert poller.stats.errors == 1
    assert dlq_bodies(sqs, queues) == []


@pytest.mark.parametrize("response", [
    {"batchItemFailures": [{"itemIdentifier": "not-in-this-batch"}]},
    {"batchItemFailures": [{"itemIdentifier": ""}]},
    "not an object",
])
def test_malformed_batch_response_fails_the_whole_batch(sqs, queues, response):
    answers = iter([response])
    function = Recorder(lambda records: next(answers, None))
    send(sqs, queues, "a", "b")
    poller = start_poller(sqs, queues, function)
    try:
        settle(lambda: len(function.batches) >= 2 and poller.queue_depth() == 0)
    finally:
        poller.stop()
    assert function.seen() == Counter({"a": 2, "b": 2})


def test_batches_gather_past_ten_messages_up_to_batch_size(sqs, queues):
    function = Recorder()
    send(sqs, queues, *[f"m{i}" for i in range(25)])
    poller = start_poller(sqs, queues, function, batch_size=20, batching_window_seconds=1)
    try:
        settle(lambda: poller.queue_depth() == 0 and sum(map(len, function.batches)) == 25)
    finally:
        poller.stop()
    assert [len(batch) for batch in function.batches] == [20, 5]


def test_stop_is_prompt_when_idle(sqs, queues):
    # idle: it sits in a long poll (1 s, as in the stack) of the empty queue
    poller = start_poller(sqs, queues, Recorder(), idle_wait_seconds=1)
    started = time.monotonic()
    poller.stop()
    assert time.monotonic() - started < 3
