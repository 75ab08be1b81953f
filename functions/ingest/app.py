"""SQS batches of storefront events -> ingest_batch, with partial batch failure reporting."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from shopadmin import wiring
from shopadmin.logic.ingest import BatchOutcome, IncomingMessage, ingest_batch
from shopadmin.observability import logger, metrics, trace_handler
from shopadmin.settings import require

require()  # at cold start: a missing variable fails init, naming it

processor = BatchProcessor(event_type=EventType.SQS)


class EventNotApplied(Exception):
    """Raised for a record so the processor reports it as a batch item failure."""


def record_metrics(outcome: BatchOutcome) -> None:
    for name, value in (("EventsApplied", outcome.applied), ("PageViews", outcome.page_views),
                        ("EventsInvalid", outcome.invalid), ("EventReplays", outcome.duplicates),
                        ("PresenceWrites", outcome.presence_writes),
                        ("EventsDroppedDeletedCustomer", len(outcome.dropped))):
        metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


@logger.inject_lambda_context
@trace_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    records = event.get("Records", [])
    outcome = ingest_batch([IncomingMessage(r["messageId"], r["body"]) for r in records], wiring.ingest_context())
    record_metrics(outcome)

    def check(record: SQSRecord) -> None:
        reason = outcome.failures.get(record.message_id)
        if reason:
            # the reason names fields and rules only; the event itself is never logged
            logger.warning("event not applied", extra={"message_id": record.message_id, "reason": reason,
                                                       "receive_count": record.attributes.approximate_receive_count})
            raise EventNotApplied(reason)

    return process_partial_response(event=event, record_handler=check, processor=processor, context=context)
