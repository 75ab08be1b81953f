"""The event contract and the config rules."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from shopadmin.logic.ingest import unwrap, validate_event
from shopadmin.models.events import EventInvalid, parse_event
from shopadmin.models.online_config import OnlineCustomersConfigUpdate

from tests.support import BASE_MS, eventbridge_envelope, storefront_event


def reason_of(raw) -> str:
    with pytest.raises(EventInvalid) as caught:
        validate_event(raw, BASE_MS)
    return caught.value.reason


def test_valid_event_is_normalized_and_extra_data_dropped():
    raw = storefront_event("cart_item_added", "v-1", BASE_MS, data={"sku": "MH01", "qty": 2, "price": "52.00", "x": 1})
    event = parse_event(raw)
    assert event.data == {"sku": "MH01", "qty": 2, "price": "52.00"}


@pytest.mark.parametrize("change, field", [
    ({"type": "teleported"}, "type"),
    ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"occurred_at": "2026-11-23T10:00:00"}, "time zone"),
    ({"session_id": ""}, "session_id"),
    ({"website_id": "a b"}, "website_id"),
    ({"unknown": 1}, "unknown"),
    ({"data": {"sku": "A", "qty": 0}}, "data.qty"),
    ({"data": {"qty": 1}}, "data.sku"),
    ({"url": "javascript:alert(1)"}, "url"),
])
def test_invalid_event_reason_names_the_field(change, field):
    raw = {**storefront_event("cart_item_added", "v-1", BASE_MS, data={"sku": "A"}), **change}
    assert field in reason_of(raw)


def test_reason_never_echoes_personal_values():
    raw = storefront_event("customer_registered", "v-1", BASE_MS, customer_id="c-1",
                           data={"email": "not-an-email-jane.doe", "first_name": "Jane"})
    reason = reason_of(raw)
    assert "data.email" in reason and "jane" not in reason.lower()


def test_customer_events_need_a_customer_id():
    assert "customer_id" in reason_of(storefront_event("customer_logged_in", "v-1", BASE_MS))


def test_events_far_in_the_future_are_refused():
    assert "future" in reason_of(storefront_event("cart_item_added", "v-1", BASE_MS + 6 * 60_000, data={"sku": "A"}))
    validate_event(storefront_event("cart_item_added", "v-1", BASE_MS + 4 * 60_000, data={"sku": "A"}), BASE_MS)


def test_oversized_data_is_refused():
    raw = storefront_event("checkout_draft_saved", "v-1", BASE_MS, data={"notes": "x" * 9000})
    assert "larger than" in reason_of(raw)


def test_unwrap_accepts_plain_events_and_eventbridge_envelopes_only_from_storefront():
    event = storefront_event("page_viewed", "v-1", BASE_MS)
    assert unwrap(__import__("json").dumps(event)) == event
    envelope = eventbridge_envelope(event)
    assert unwrap(__import__("json").dumps(envelope)) == event
    with pytest.raises(EventInvalid):
        unwrap(__import__("json").dumps({**envelope, "source": "someone-else"}))
    with pytest.raises(EventInvalid):
        unwrap("{not json")


@pytest.mark.parametrize("body, expected", [
    ({"online_minutes_interval": None, "customer_data_lifetime": ""}, (15, 60)),
    ({"online_minutes_interval": "  ", "customer_data_lifetime": 120}, (15, 120)),
    ({"online_minutes_interval": 1, "customer_data_lifetime": 10080}, (1, 10080)),
    ({"online_minutes_interval": 1440, "customer_data_lifetime": 1}, (1440, 1)),
])
def test_config_blank_or_null_means_default(body, expected):
    resolved = OnlineCustomersConfigUpdate.model_validate(body).resolved()
    assert (resolved.online_minutes_interval, resolved.customer_data_lifetime) == expected


@pytest.mark.parametrize("body", [
    {"online_minutes_interval": 0}, {"online_minutes_interval": 1441}, {"customer_data_lifetime": 10081},
    {"online_minutes_interval": 2.5}, {"online_minutes_interval": "ten"}, {"colour": "red"},
    {}, {"online_minutes_interval": 15}, {"customer_data_lifetime": 60},  # SPEC 7: both fields required
])
def test_config_out_of_range_is_refused(body):
    with pytest.raises(ValidationError):
        OnlineCustomersConfigUpdate.model_validate(body)


def test_date_of_birth_is_checked_against_the_injected_clock_not_the_system_date():
    from datetime import UTC, datetime

    from shopadmin import wiring
    from shopadmin.clock import from_datetime
    from shopadmin.models.customer import CustomerAccount

    from tests.support import FakeClock

    body = {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace", "website_id": "base"}
    wiring.use_clock(FakeClock(from_datetime(datetime(2040, 6, 1, 12, tzinfo=UTC))))
    try:
        assert str(CustomerAccount(**body, dob="2040-06-01").dob) == "2040-06-01"  # "today" is 2040-06-01
        with pytest.raises(ValidationError, match="between 1900 and today"):
            CustomerAccount(**body, dob="2040-06-02")
    finally:
        wiring.reset()
