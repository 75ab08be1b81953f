"""Helpers for the admin action tests (login as customer, force sign-in, password reset, delete)."""

from __future__ import annotations

import json

import boto3

from tests.integration.lambdas import invoke_http
from tests.support import http_event

ADMIN = "customers:read customers:write audit:read"
# (method, route) -> function, as template.yaml wires them
FUNCTIONS = {
    ("POST", "/customers/{customer_id}/login-as"): "CustomerCredentialsFunction",
    ("POST", "/customers/{customer_id}/force-sign-in"): "CustomerCredentialsFunction",
    ("POST", "/customers/{customer_id}/password-reset"): "CustomerCredentialsFunction",
    ("DELETE", "/customers/{customer_id}"): "CustomerDeletionFunction",
    ("POST", "/storefront/login-as/redeem"): "StorefrontLoginAsFunction",
    ("GET", "/customers/{customer_id}/audit"): "CustomerAuditFunction",
    ("GET", "/storefront/sessions/{session_id}"): "StorefrontSessionsFunction",
    ("GET", "/online-customers"): "OnlineCustomersFunction",
    ("POST", "/customers/{customer_id}/orders"): "CustomerCommerceFunction",
    ("POST", "/customers/{customer_id}/store-credit/adjustments"): "CustomerCommerceFunction",
    ("POST", "/customers/{customer_id}/reward-points/adjustments"): "CustomerCommerceFunction",
    ("GET", "/customers/{customer_id}/orders"): "CustomerCommerceFunction",
    ("GET", "/customers/{customer_id}/cart"): "CustomerCommerceFunction",
    ("PUT", "/customers/{customer_id}/newsletter"): "CustomerCommerceFunction",
    ("GET", "/online-customers/summary"): "OnlineCustomersFunction",
}


def api(method, path, body=None, *, scopes=ADMIN, headers=None, query=None, sub="admin-1", claims=None):
    parts = path.strip("/").split("/")
    params, route_parts = {}, list(parts)
    if parts[0] == "customers" and len(parts) >= 2:
        params["customer_id"] = parts[1]
        route_parts[1] = "{customer_id}"
    if parts[:2] == ["storefront", "sessions"]:
        params["session_id"] = parts[2]
        route_parts[2] = "{session_id}"
    route = "/" + "/".join(route_parts)
    function = FUNCTIONS.get((method, route), "CustomersFunction")
    event = http_event(method, path, scopes=scopes, body=body, headers=headers, query=query,
                       path_parameters=params or None, route=f"{method} {route}", claims={"sub": sub, **(claims or {})})
    return invoke_http(function, event)


def new_customer(email="ada@example.com", *, assist=True, first="Ada", last="Lovelace", addresses=None):
    body = {"email": email, "first_name": first, "last_name": last, "website_id": "base"}
    status, customer, headers = api("POST", "/customers", {**body, **({"addresses": addresses} if addresses else {})})
    assert status == 201, customer
    if assist:  # allow remote shopping assistance (full edit)
        status, customer, _ = api("PUT", f"/customers/{customer['id']}", {**body, "allow_remote_assistance": True},
                                  headers={"if-match": headers["ETag"]})
        assert status == 200 and customer["allow_remote_assistance"] is True, customer
    return customer["id"]


def session_check(session_id, **kw):
    status, body, _ = api("GET", f"/storefront/sessions/{session_id}", scopes="sessions:read", **kw)
    assert status == 200, body
    return body


def online_rows(**query):
    status, body, _ = api("GET", "/online-customers", scopes="online:read", query={"limit": "200", **query})
    assert status == 200, body
    return {row["session_id"]: row for row in body["items"]}


def audit_entries(customer_id):
    status, page, _ = api("GET", f"/customers/{customer_id}/audit", scopes="audit:read", query={"limit": "200"})
    assert status == 200, page
    return page["items"]


def scan(table_name: str) -> list[dict]:
    """Every item of a moto table (a Scan is fine in tests; the functions never scan)."""
    items = []
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=table_name):
        items.extend(page["Items"])
    return items


class BusCapture:
    """A rule on the bus sending the admin events (source shop-admin) to a queue, read back here."""

    def __init__(self, bus_name: str):
        self.sqs = boto3.client("sqs")
        self.url = self.sqs.create_queue(QueueName="admin-events-capture")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events = boto3.client("events")
        events.put_rule(Name="capture-admin-events", EventBusName=bus_name,
                        EventPattern=json.dumps({"source": ["shop-admin"]}), State="ENABLED")
        events.put_targets(Rule="capture-admin-events", EventBusName=bus_name, Targets=[{"Id": "q", "Arn": arn}])
        self.seen: list[dict] = []

    def drain(self) -> list[dict]:
        """Envelopes received since the last call (source, detail-type, detail)."""
        new = []
        while True:
            messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                break
            for message in messages:
                new.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=message["ReceiptHandle"])
        self.seen.extend(new)
        return new

    def of_type(self, detail_type: str) -> list[dict]:
        self.drain()
        return [e["detail"] for e in self.seen if e["detail-type"] == detail_type]

