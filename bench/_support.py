"""What both benchmarks share: import paths, Lambda-like environment, moto tables built from
template.yaml, and a recorder of DynamoDB calls (boto3 and PynamoDB both go through botocore)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import statistics
import threading
import time
import uuid
from collections import Counter

import boto3
import botocore.client

from local import moto_patches, template


class LambdaContext:
    function_name = "bench"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench-request"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def sqs_event(bodies: list[dict]) -> dict:
    """An SQS event source batch, as Lambda hands it to IngestFunction."""
    return {"Records": [{
        "messageId": f"bench-{i}-{uuid.uuid4().hex[:8]}", "receiptHandle": f"rh-{i}", "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0", "SenderId": "bench",
                       "ApproximateFirstReceiveTimestamp": "0"},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:EventsQueue", "awsRegion": "us-east-1",
    } for i, body in enumerate(bodies)]}


def http_request(method: str, path: str, scopes: list[str], query: dict[str, str] | None = None,
                 body: dict | None = None, path_parameters: dict[str, str] | None = None,
                 route: str | None = None, headers: dict[str, str] | None = None) -> dict:
    """An API Gateway HTTP API v2.0 request, as the JWT authorizer passes it on."""
    from urllib.parse import urlencode

    route_key = f"{method} {route or path}"
    event = {
        "version": "2.0", "routeKey": route_key, "rawPath": path, "rawQueryString": urlencode(query or {}),
        "headers": {"accept": "application/json", "content-type": "application/json", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012", "apiId": "bench", "domainName": "localhost", "domainPrefix": "bench",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1",
                     "userAgent": "bench"},
            "requestId": uuid.uuid4().hex, "routeKey": route_key, "stage": "$default",
            "time": "23/Nov/2026:10:00:00 +0000", "timeEpoch": 0,
            "authorizer": {"jwt": {"claims": {"sub": "bench-admin", "scope": " ".join(scopes)}, "scopes": scopes}},
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = dict(query)
    if body is not None:
        event["body"] = json.dumps(body)
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    return event


def http_get(path: str, scopes: list[str], query: dict[str, str] | None = None) -> dict:
    """An API Gateway HTTP API v2.0 GET, as the JWT authorizer passes it on."""
    return http_request("GET", path, scopes, query)


def create_stack(shard_count: int) -> dict[str, str]:
    """Inside mock_aws: the template's tables, queues, bus, secret and bucket, and the environment
    Lambda would see (every function's required variables set); returns table logical id -> name."""
    moto_patches.install()  # moto's costs and gaps (local/moto_patches.py); both sides of a ratio share them
    cfn = template.translated()
    tables = template.create_tables(boto3.client("dynamodb"), cfn)
    queues = template.create_queues(boto3.client("sqs"), cfn)
    buses = template.create_event_routing(boto3.client("events"), queues, cfn)
    secrets = template.create_secrets(boto3.client("secretsmanager"), cfn)
    buckets = template.create_buckets(boto3.client("s3"), cfn)
    os.environ.update({
        "PRESENCE_TABLE": tables["PresenceTable"], "CUSTOMERS_TABLE": tables["CustomersTable"],
        "IDEMPOTENCY_TABLE": tables["IdempotencyTable"], "ONLINE_SHARD_COUNT": str(shard_count),
        "EVENTS_QUEUE_URL": queues["EventsQueue"]["url"], "EVENT_BUS_NAME": buses["StorefrontBus"],
        "CURSOR_SECRET_ARN": secrets["CursorSigningKey"], "EXPORTS_BUCKET": buckets["ExportsBucket"],
    })
    from shopadmin import wiring

    wiring.reset()
    return tables


def load_function(logical_id: str):
    """Import a function's app.py as Lambda would (one module per function)."""
    import importlib.util

    spec = template.functions()[logical_id]
    module_spec = importlib.util.spec_from_file_location(f"bench_{logical_id}", spec.module_file)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


class DynamoRecorder:
    """Patches BaseClient._make_api_call once: records DynamoDB calls while `on` (with their
    responses, or the error raised, when asked), and can answer calls from a recording instead."""

    def __init__(self):
        self.on = False
        self.keep_responses = False
        self.calls: list[tuple[str, dict]] = []
        self.responses: list[dict | Exception] = []
        self.counts: Counter = Counter()
        self._original = botocore.client.BaseClient._make_api_call
        self._stub = None  # when set: (operation, params) -> response; the backend is never called
        self._lock = threading.Lock()  # the online list queries its shards from several threads
        recorder = self

        def make_api_call(client, operation_name, api_params):
            if client.meta.service_model.service_name != "dynamodb":
                return recorder._original(client, operation_name, api_params)
            if recorder._stub is not None:
                return recorder._stub(operation_name, api_params)
            if not recorder.on:
                return recorder._original(client, operation_name, api_params)
            try:
                response = recorder._original(client, operation_name, api_params)
            except Exception as error:
                recorder._record(operation_name, api_params, error)
                raise
            recorder._record(operation_name, api_params, response)
            return response

        botocore.client.BaseClient._make_api_call = make_api_call

    def _record(self, operation_name: str, api_params: dict, outcome) -> None:
        with self._lock:
            self.counts[operation_name] += 1
            self.calls.append((operation_name, api_params))
            if self.keep_responses:
                self.responses.append(outcome)

    def start(self, keep_responses: bool = False) -> None:
        self.calls, self.responses, self.counts = [], [], Counter()
        self.on, self.keep_responses = True, keep_responses

    def stop(self) -> None:
        self.on = False

    @contextlib.contextmanager
    def stubbed(self, answer):
        """Answer every DynamoDB call with `answer(operation, params)` (a response dict, or raise)."""
        self._stub = answer
        try:
            yield
        finally:
            self._stub = None


@contextlib.contextmanager
def quiet():
    """Powertools prints EMF metrics and logs to stdout, as Lambda wants; keep the report readable."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return (time.perf_counter() - start) * 1000, result


def median(values) -> float:
    return statistics.median(values)


def machine() -> str:
    return (f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
            f"{platform.machine()}")


__all__ = ["LambdaContext", "DynamoRecorder", "create_stack", "http_get", "load_function", "machine", "median",
           "quiet", "sqs_event", "template", "timed"]


def register_website(website_id: str) -> None:
    """Websites are registered by an admin, never by events: do what `make run` does for the demo."""
    from shopadmin import wiring
    from shopadmin.models.website import Website

    wiring.customer_store().save_website(Website(website_id=website_id, name=f"Website {website_id}",
                                                 storefront_url=f"https://{website_id}.shop.example",
                                                 timezone="UTC"), "bench", 0)
