"""logic/concurrency.py::in_parallel: results in order, the first item in the caller's thread, errors raised."""

from __future__ import annotations

import contextvars
import threading

import pytest
from shopadmin.logic.concurrency import in_parallel

request_id = contextvars.ContextVar("request_id", default="none")


def test_results_come_in_item_order_and_the_first_runs_in_the_callers_thread():
    caller = threading.get_ident()
    threads: dict[int, int] = {}

    def work(n: int) -> int:
        threads[n] = threading.get_ident()
        return n * n

    assert in_parallel(work, list(range(10)), max_workers=4) == [n * n for n in range(10)]
    assert threads[0] == caller  # builds lazily created clients once, before the others start
    assert any(ident != caller for ident in threads.values())


def test_each_task_sees_the_callers_context():
    request_id.set("r-1")
    assert in_parallel(lambda _: request_id.get(), [1, 2, 3], max_workers=3) == ["r-1"] * 3


def test_one_worker_runs_everything_in_the_callers_thread():
    caller = threading.get_ident()
    assert in_parallel(lambda _: threading.get_ident(), [1, 2, 3], max_workers=1) == [caller] * 3
    assert in_parallel(lambda n: n, [], max_workers=8) == []


def test_a_task_error_is_raised_after_the_others_end():
    done = []

    def work(n: int) -> int:
        if n == 2:
            raise ValueError("boom")
        done.append(n)
        return n

    with pytest.raises(ValueError, match="boom"):
        in_parallel(work, [0, 1, 2, 3, 4], max_workers=3)
    assert sorted(done) == [0, 1, 3, 4]
