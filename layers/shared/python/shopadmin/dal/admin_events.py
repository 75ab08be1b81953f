"""Admin action events on the EventBridge bus (Source "shop-admin", DetailType = the event name).

The shop listens to them to notify the customer (login as customer), send the reset mail
(password reset: the only place the reset token travels) or end its own sessions.
Nothing here logs the detail.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import boto3

from shopadmin.observability import traced

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient

SOURCE = "shop-admin"


class EventNotPublished(RuntimeError):
    """EventBridge refused the entry (its error code only: the detail may hold a secret)."""


@traced
class AdminEventBus:
    def __init__(self, bus_name: str, client: EventBridgeClient | None = None):
        self.bus_name = bus_name
        self._client = client or boto3.client("events")

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        """One PutEvents entry; raises EventNotPublished when EventBridge did not take it."""
        response = self._client.put_events(Entries=[{
            "Source": SOURCE,
            "DetailType": detail_type,
            "Detail": json.dumps(detail, sort_keys=True),
            "EventBusName": self.bus_name,
        }])
        if response.get("FailedEntryCount"):
            codes = sorted({str(e.get("ErrorCode")) for e in response.get("Entries", []) if e.get("ErrorCode")})
            raise EventNotPublished(",".join(codes) or "failed")
