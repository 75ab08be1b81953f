"""Settings validated at a function's cold start: a missing variable fails init, naming it."""

from __future__ import annotations

import pytest
from shopadmin.settings import MisconfiguredFunction, get_settings, require


@pytest.fixture(autouse=True)
def environment(monkeypatch):
    for name in ("EVENTS_QUEUE_URL", "IDEMPOTENCY_TABLE", "EVENT_BUS_NAME", "ONLINE_SHARD_COUNT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRESENCE_TABLE", "presence")
    monkeypatch.setenv("CUSTOMERS_TABLE", "customers")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_the_tables_alone_are_enough_for_a_plain_function():
    settings = require()
    assert (settings.presence_table, settings.customers_table) == ("presence", "customers")


def test_a_missing_table_is_named(monkeypatch):
    monkeypatch.delenv("CUSTOMERS_TABLE")
    with pytest.raises(MisconfiguredFunction, match="CUSTOMERS_TABLE") as raised:
        require()
    assert "PRESENCE_TABLE" not in str(raised.value)


def test_an_invalid_value_is_named_without_echoing_it(monkeypatch):
    monkeypatch.setenv("ONLINE_SHARD_COUNT", "9999")
    with pytest.raises(MisconfiguredFunction, match="ONLINE_SHARD_COUNT") as raised:
        require()
    assert "9999" not in str(raised.value)


def test_each_missing_function_variable_is_named(monkeypatch):
    monkeypatch.setenv("IDEMPOTENCY_TABLE", "idempotency")
    with pytest.raises(MisconfiguredFunction, match="EVENT_BUS_NAME") as raised:
        require("EVENT_BUS_NAME", "IDEMPOTENCY_TABLE")
    assert "IDEMPOTENCY_TABLE" not in str(raised.value)
    monkeypatch.setenv("EVENT_BUS_NAME", "bus")
    get_settings.cache_clear()
    assert require("EVENT_BUS_NAME", "IDEMPOTENCY_TABLE").event_bus_name == "bus"


def test_a_blank_variable_counts_as_missing(monkeypatch):
    monkeypatch.setenv("EVENTS_QUEUE_URL", "")
    with pytest.raises(MisconfiguredFunction, match="EVENTS_QUEUE_URL"):
        require("EVENTS_QUEUE_URL")


def test_a_name_that_is_no_setting_is_a_programming_error():
    with pytest.raises(ValueError, match="EVENTS_QUEUE"):
        require("EVENTS_QUEUE")
