"""The local stack runs the template's scheduled functions (local/scheduler.py)."""

from __future__ import annotations

import threading

from local import template
from local.scheduler import Scheduler, scheduled_event
from local.template import Schedule


def test_the_template_schedules_the_sweeper_every_minute():
    assert template.schedules() == [Schedule("OnlineSweeperFunction", 60)]


def test_a_failed_run_does_not_end_the_schedule():
    stop = threading.Event()
    calls: list[tuple[str, str]] = []

    def invoke(function: str, event: dict) -> None:
        calls.append((function, event["detail-type"]))
        if len(calls) == 1:
            raise RuntimeError("the first run fails")
        if len(calls) == 3:
            stop.set()

    scheduler = Scheduler([Schedule("OnlineSweeperFunction", 0)], invoke, stop).start()
    assert stop.wait(10)
    assert calls[:3] == [("OnlineSweeperFunction", "Scheduled Event")] * 3
    assert scheduler.runs >= 1  # the second run succeeded after the first failed


def test_the_event_looks_like_eventbridges():
    event = scheduled_event(Schedule("OnlineSweeperFunction", 60))
    assert event["source"] == "aws.events" and event["detail"] == {} and event["time"].endswith("Z")
