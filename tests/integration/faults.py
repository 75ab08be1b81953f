"""DynamoDB faults at the botocore transport, for tests against moto (which never fails).

`DynamoFaults` wraps moto's in-process `before-send` stubber, so a faulted request goes through
botocore exactly as on AWS: its retry handler sees the error (retrying throttles, 5xx and
connection errors in "standard" mode), PynamoDB parses cancellation reasons, and so on. Nothing
sleeps: botocore's pause between retries and our own (shopadmin.retry) are recorded instead.

It also adds what DynamoDB documents and moto lacks: a TransactWriteItems carrying a
ClientRequestToken that already succeeded (same parameters, within 10 minutes) answers success
without applying anything again. (botocore fills a random token into each call that has none, so
its own retries of one call were already covered; what the old code lacked is a token that
survives a retry above botocore, once botocore's attempts are spent.)
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectionClosedError
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse

Body = dict[str, Any]
Match = Callable[[Body], bool]


def _any(_: Body) -> bool:
    return True


@dataclass
class Rule:
    operation: str
    kind: str  # "error", "lose_response", "stale", "unprocessed"
    times: int | None  # None: every time
    match: Match = _any
    code: str = ""
    status: int = 400
    reasons: list[dict[str, Any]] | None = None
    hits: int = 0

    def applies(self, operation: str, body: Body) -> bool:
        return operation == self.operation and (self.times is None or self.hits < self.times) and self.match(body)


@dataclass
class DynamoFaults:
    rules: list[Rule] = field(default_factory=list)
    calls: Counter = field(default_factory=Counter)
    botocore_sleeps: list[float] = field(default_factory=list)
    our_sleeps: list[float] = field(default_factory=list)
    runaway_limit: int = 200  # a retry loop without a bound stops here instead of spinning forever
    sent: list[tuple[str, Body]] = field(default_factory=list)
    _tokens: dict[str, str] = field(default_factory=dict)
    # the ingest's session groups call from several threads: one request is judged at a time
    _lock: threading.RLock = field(default_factory=threading.RLock)

    # ------------------------------------------------------------ rules
    def error(self, operation: str, code: str, times: int | None = 1, match: Match = _any, status: int = 400) -> Rule:
        """Answer with a DynamoDB error (nothing applied)."""
        return self._add(Rule(operation, "error", times, match, code=code, status=status))

    def cancel(self, reasons: list[str], times: int | None = 1, match: Match = _any) -> Rule:
        """TransactionCanceledException with these per-item reason codes ("None" for the others)."""
        return self._add(Rule("TransactWriteItems", "error", times, match, code="TransactionCanceledException",
                              reasons=[{"Code": code} for code in reasons]))

    def lose_response(self, operation: str, times: int = 1, match: Match = _any) -> Rule:
        """Apply the request in moto, then drop the connection before the response arrives."""
        return self._add(Rule(operation, "lose_response", times, match))

    def stale(self, operation: str, match: Match = _any, times: int | None = None) -> Rule:
        """An eventually consistent read that does not see the item yet (ConsistentRead reads are served)."""
        return self._add(Rule(operation, "stale", times, match))

    def unprocessed(self, operation: str, times: int | None = None, match: Match = _any) -> Rule:
        """BatchGetItem / BatchWriteItem answer with every key / item left unprocessed."""
        return self._add(Rule(operation, "unprocessed", times, match))

    def _add(self, rule: Rule) -> Rule:
        self.rules.append(rule)
        return rule

    # ------------------------------------------------------------ transport
    def handle(self, original: Callable[..., AWSResponse | None], stubber: BotocoreStubber, event_name: str,
               request: Any, **kwargs: Any) -> AWSResponse | None:
        if not event_name.startswith("before-send.dynamodb."):
            return original(stubber, event_name, request, **kwargs)
        with self._lock:
            return self._handle(original, stubber, event_name, request, **kwargs)

    def _handle(self, original: Callable[..., AWSResponse | None], stubber: BotocoreStubber, event_name: str,
                request: Any, **kwargs: Any) -> AWSResponse | None:
        operation = event_name.rsplit(".", 1)[1]
        self.calls[operation] += 1
        if self.calls[operation] > self.runaway_limit:
            raise RuntimeError(f"{operation} called more than {self.runaway_limit} times: an unbounded retry loop")
        body: Body = json.loads(request.body or b"{}")
        self.sent.append((operation, body))
        for rule in self.rules:
            if not rule.applies(operation, body):
                continue
            if rule.kind == "stale" and _consistent(body):
                continue
            rule.hits += 1
            if rule.kind == "error":
                payload: Body = {"__type": f"com.amazonaws.dynamodb.v20120810#{rule.code}", "message": "injected"}
                if rule.reasons is not None:
                    payload["CancellationReasons"] = rule.reasons
                return _response(rule.status, payload)
            if rule.kind == "stale":
                return _response(200, _empty_read(operation, body))
            if rule.kind == "unprocessed":
                return _response(200, _unprocessed(operation, body))
            if rule.kind == "lose_response":
                response = original(stubber, event_name, request, **kwargs)
                self._remember(operation, body, response)
                raise ConnectionClosedError(endpoint_url=request.url)
        token = body.get("ClientRequestToken")
        if operation == "TransactWriteItems" and token in self._tokens:
            if self._tokens[token] != _params(body):
                mismatch = "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException"
                return _response(400, {"__type": mismatch, "message": "token reused with other parameters"})
            return _response(200, {})  # DynamoDB: the same request again, already applied: nothing changes
        response = original(stubber, event_name, request, **kwargs)
        self._remember(operation, body, response)
        return response

    def tokens(self) -> list[str | None]:
        """The ClientRequestToken of every TransactWriteItems sent (botocore's retries included)."""
        return [body.get("ClientRequestToken") for operation, body in self.sent if operation == "TransactWriteItems"]

    def _remember(self, operation: str, body: Body, response: AWSResponse | None) -> None:
        token = body.get("ClientRequestToken")
        if operation == "TransactWriteItems" and token and response is not None and response.status_code == 200:
            self._tokens[token] = _params(body)


def _params(body: Body) -> str:
    return json.dumps({k: v for k, v in body.items() if k != "ClientRequestToken"}, sort_keys=True)


def _consistent(body: Body) -> bool:
    if "RequestItems" in body:
        return all(table.get("ConsistentRead") for table in body["RequestItems"].values())
    return bool(body.get("ConsistentRead"))


def _empty_read(operation: str, body: Body) -> Body:
    if operation == "GetItem":
        return {}
    if operation == "BatchGetItem":
        return {"Responses": {table: [] for table in body["RequestItems"]}, "UnprocessedKeys": {}}
    return {"Items": [], "Count": 0, "ScannedCount": 0}


def _unprocessed(operation: str, body: Body) -> Body:
    if operation == "BatchGetItem":
        return {"Responses": {table: [] for table in body["RequestItems"]}, "UnprocessedKeys": body["RequestItems"]}
    return {"UnprocessedItems": body["RequestItems"]}


def _response(status: int, payload: Body) -> AWSResponse:
    raw = MockRawResponse(json.dumps(payload))
    headers = {"content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "injected"}
    return AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", status, headers, raw)


def key_contains(text: str) -> Match:
    """Match requests whose body mentions `text` (a key prefix such as "GUEST#" or "CONFIG")."""
    return lambda body: text in json.dumps(body)
