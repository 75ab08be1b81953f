"""Runs the template's scheduled functions (EventBridge `rate(...)` rules) on the local stack.

Each schedule gets a daemon thread that invokes its function with a Scheduled Event shaped like
EventBridge's, every `every_seconds`, until stopped. A failing run is logged and the next one
comes at its time, as in AWS (the rule has no retry that matters for a sweeper).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from local.template import Schedule

log = logging.getLogger("local.scheduler")


def scheduled_event(schedule: Schedule) -> dict[str, Any]:
    return {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
            "account": "123456789012", "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1", "resources": [f"local:rule/{schedule.function}"], "detail": {}}


class Scheduler:
    def __init__(self, schedules: list[Schedule], invoke: Callable[[str, dict[str, Any]], Any],
                 stop: threading.Event) -> None:
        self._schedules, self._invoke, self._stop = schedules, invoke, stop
        self.runs = 0

    def start(self) -> Scheduler:
        for schedule in self._schedules:
            threading.Thread(target=self._run, args=(schedule,), name=f"schedule-{schedule.function}",
                             daemon=True).start()
        return self

    def _run(self, schedule: Schedule) -> None:
        while not self._stop.wait(schedule.every_seconds):
            try:
                self._invoke(schedule.function, scheduled_event(schedule))
                self.runs += 1
            except Exception:  # noqa: BLE001 - one failed run must not end the schedule
                log.exception("%s failed; it runs again in %d s", schedule.function, schedule.every_seconds)
