"""Lambda's SQS event source, locally: a thread that feeds a queue in moto to a handler.

Semantics kept from the real event source mapping (template.yaml's values):
- batching: receive up to 10 messages per call and keep gathering until BatchSize messages
  or MaximumBatchingWindowInSeconds after the first one, then invoke once with all of them;
- the event is `{"Records": [...]}` with the records shaped exactly as Lambda builds them;
- ReportBatchItemFailures: every message not named in the response's `batchItemFailures` is
  deleted; the named ones stay in the queue and come back. An empty/None response means
  all succeeded; a malformed one (unknown or empty itemIdentifier, not an object) fails the
  whole batch, as Lambda does;
- a handler exception fails the whole batch (nothing is deleted);
- the queue's RedrivePolicy moves a message to the dead-letter queue after maxReceiveCount
  receives. moto implements this itself on ReceiveMessage (checked by tests/e2e), so the
  poller only has to keep receiving.

One local shortcut: failed messages would wait the queue's visibility timeout (180 s) before
their retry; here their visibility is cut to `retry_visibility_seconds` so local retries and
the trip to the DLQ take seconds. Logs carry counts and message ids, never bodies.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from local import template

log = logging.getLogger("local.poller")

MAX_RECEIVE = 10  # SQS ReceiveMessage maximum
IDLE_WAIT_SECONDS = 1  # long-poll length while idle; bounds how long stop() takes
SHORT_POLL_PAUSE_SECONDS = 0.05


@dataclass
class PollerStats:
    invocations: int = 0
    deleted: int = 0
    failed: int = 0  # message-attempts that were left for a retry
    errors: int = 0  # invocations that raised


def _lambda_message_attributes(attributes: dict) -> dict:
    """SQS API message attributes -> the camelCase shape of Lambda's SQS records."""
    converted = {}
    for name, value in (attributes or {}).items():
        item = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
        if "StringValue" in value:
            item["stringValue"] = value["StringValue"]
        if "BinaryValue" in value:
            item["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        converted[name] = item
    return converted


class SqsPoller:
    def __init__(self, sqs_client, queue_url: str, queue_arn: str, invoke: Callable[[dict], Any], *,
                 batch_size: int = 10, batching_window_seconds: float = 0,
                 report_batch_item_failures: bool = False, retry_visibility_seconds: int = 1,
                 idle_wait_seconds: int = IDLE_WAIT_SECONDS, region: str = template.LOCAL_REGION,
                 name: str = "sqs-poller"):
        self.sqs = sqs_client
        self.queue_url, self.queue_arn = queue_url, queue_arn
        self.invoke = invoke
        self.batch_size = batch_size
        self.batching_window_seconds = batching_window_seconds
        self.report_batch_item_failures = report_batch_item_failures
        self.retry_visibility_seconds = retry_visibility_seconds
        # 0 = short polling while idle (tests: stop() returns at once), else a long poll of that length
        self.idle_wait_seconds = idle_wait_seconds
        self.region = region
        self.stats = PollerStats()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    @classmethod
    def from_template(cls, source: template.SqsEventSource, sqs_client, queues: dict[str, dict[str, str]],
                      invoke: Callable[[dict], Any], **overrides) -> SqsPoller:
        queue = queues[source.queue]
        settings = {"batch_size": source.batch_size, "batching_window_seconds": source.batching_window_seconds,
                        "report_batch_item_failures": source.report_batch_item_failures,
                        "name": f"poller-{source.function}"}
        settings.update(overrides)
        return cls(sqs_client, queue["url"], queue["arn"], invoke, **settings)

    # ------------------------------------------------------------ lifecycle
    def start(self) -> SqsPoller:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        self._thread.join(timeout=timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                batch = self._collect()
                if batch:
                    self._process(batch)
                elif not self.idle_wait_seconds:
                    self._stop.wait(SHORT_POLL_PAUSE_SECONDS)
            except Exception:
                if self._stop.is_set():
                    break  # moto may already be gone during shutdown
                log.error("poller error, retrying in 1 s:\n%s", traceback.format_exc())
                self._stop.wait(1)

    # ------------------------------------------------------------ receive
    def _receive(self, count: int, wait_seconds: int) -> list[dict]:
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url, MaxNumberOfMessages=count, WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"],
        )
        return response.get("Messages", [])

    def _collect(self) -> list[dict]:
        """One batch: wait for a first message, then gather until BatchSize or the window ends."""
        batch: list[dict] = []
        window_ends = None
        while len(batch) < self.batch_size and not self._stop.is_set():
            if window_ends is None:
                wait = self.idle_wait_seconds
            else:
                remaining = window_ends - time.monotonic()
                if remaining <= 0:
                    break
                wait = 0
            messages = self._receive(min(MAX_RECEIVE, self.batch_size - len(batch)), wait)
            if messages:
                batch += messages
                if window_ends is None:
                    window_ends = time.monotonic() + self.batching_window_seconds
            elif window_ends is None:
                break  # idle: go round again so a stop request is noticed
            else:
                self._stop.wait(min(SHORT_POLL_PAUSE_SECONDS, remaining))
        return batch

    def _record(self, message: dict) -> dict:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": _lambda_message_attributes(message.get("MessageAttributes")),
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.region,
        }

    # ------------------------------------------------------------ invoke and settle
    def _process(self, batch: list[dict]) -> None:
        ids = [m["MessageId"] for m in batch]
        self.stats.invocations += 1
        try:
            result = self.invoke({"Records": [self._record(m) for m in batch]})
        except Exception:
            self.stats.errors += 1
            log.error("handler raised on a batch of %d; all left for retry:\n%s", len(batch),
                      traceback.format_exc())
            failed = set(ids)
        else:
            failed = self._failed_ids(result, set(ids))
        done = [m for m in batch if m["MessageId"] not in failed]
        retry = [m for m in batch if m["MessageId"] in failed]
        self._delete(done)
        self._retry(retry)
        self.stats.deleted += len(done)
        self.stats.failed += len(retry)
        log.info("batch of %d: %d done, %d left for retry%s", len(batch), len(done), len(retry),
                 f" ({', '.join(sorted(failed))})" if failed else "")

    def _failed_ids(self, result: Any, ids: set[str]) -> set[str]:
        if not self.report_batch_item_failures or result is None:
            return set()
        if not isinstance(result, dict):
            log.error("batch response is not an object; the whole batch failed")
            return ids
        failures = result.get("batchItemFailures")
        if not failures:
            return set()
        failed = set()
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if not identifier or identifier not in ids:
                log.error("invalid itemIdentifier in batchItemFailures; the whole batch failed")
                return ids
            failed.add(identifier)
        return failed

    def _delete(self, messages: list[dict]) -> None:
        for start in range(0, len(messages), MAX_RECEIVE):
            chunk = messages[start:start + MAX_RECEIVE]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)])

    def _retry(self, messages: list[dict]) -> None:
        for start in range(0, len(messages), MAX_RECEIVE):
            chunk = messages[start:start + MAX_RECEIVE]
            self.sqs.change_message_visibility_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"],
                 "VisibilityTimeout": self.retry_visibility_seconds} for i, m in enumerate(chunk)])

    # ------------------------------------------------------------ observing
    def queue_depth(self) -> int:
        """Messages waiting, in flight or delayed: 0 means every message was settled."""
        attributes = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"])["Attributes"]
        return sum(int(v) for v in attributes.values())

    def wait_until_drained(self, timeout: float, cancel: threading.Event | None = None) -> bool:
        """True once the queue is empty; False after `timeout` seconds or when `cancel` is set."""
        cancel = cancel or threading.Event()
        deadline = time.monotonic() + timeout
        while True:
            if self.queue_depth() == 0:
                return True
            if time.monotonic() >= deadline or cancel.wait(0.1):
                return False
