"""The ingest queue (SQS): SendMessageBatch in tens."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3

from shopadmin.observability import traced

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef


@traced
class SqsEventQueue:
    def __init__(self, queue_url: str, client: SQSClient | None = None):
        self.queue_url = queue_url
        self._client = client or boto3.client("sqs")

    def send(self, messages: list[tuple[str, str]]) -> set[str]:
        failed: set[str] = set()
        for start in range(0, len(messages), 10):
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {"Id": message_id, "MessageBody": body} for message_id, body in messages[start:start + 10]]
            try:
                response = self._client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            except Exception:  # noqa: BLE001 - reported per event as "send again", never lost silently
                failed.update(e["Id"] for e in entries)
                continue
            failed.update(f["Id"] for f in response.get("Failed", []))
        return failed
