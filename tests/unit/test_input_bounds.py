"""Bounded input (SPEC 6, 7): occurred_at age and skew, money, SQS-safe strings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from shopadmin.clock import to_iso
from shopadmin.logic.ingest import validate_event
from shopadmin.models.commerce import CartItemSet, OrderLineIn
from shopadmin.models.events import EVENT_ID_RETENTION_MS, EventInvalid, parse_event
from shopadmin.models.money import MoneyInvalid, parse_money

from tests.support import BASE_MS, storefront_event

MIN = 60_000
DAY = 24 * 60 * MIN


def reason_of(raw, now_ms=BASE_MS) -> str:
    with pytest.raises(EventInvalid) as caught:
        validate_event(raw, now_ms)
    return caught.value.reason


def cart_add(at_ms=BASE_MS, **data) -> dict:
    return storefront_event("cart_item_added", "v-1", at_ms, data={"sku": "A", **data})


# ------------------------------------------------------------------ occurred_at
@pytest.mark.parametrize("occurred_at", [
    "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
    "0001-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
])
def test_far_past_and_far_future_times_are_rejected_naming_occurred_at(occurred_at):
    raw = {**cart_add(), "occurred_at": occurred_at}
    assert reason_of(raw).startswith("occurred_at:")


def test_occurred_at_is_bounded_by_the_event_id_retention_and_five_minutes_ahead():
    assert "older than 15 days" in reason_of(cart_add(BASE_MS - 15 * DAY - 1))
    assert "future" in reason_of(cart_add(BASE_MS + 6 * MIN))
    validate_event(cart_add(BASE_MS - 15 * DAY + MIN), BASE_MS)
    validate_event(cart_add(BASE_MS + 5 * MIN), BASE_MS)
    assert EVENT_ID_RETENTION_MS == 15 * DAY


def test_bounds_follow_the_given_clock_not_wall_time():
    later = BASE_MS + 365 * DAY
    assert "older than 15 days" in reason_of(cart_add(BASE_MS), now_ms=later)
    validate_event(cart_add(later), later)


def test_times_outside_years_1_to_9999_still_read_as_iso():
    assert to_iso(-62_135_647_200_000) == "0001-01-01T00:00:00.000Z"
    assert to_iso(10**18) == "9999-12-31T23:59:59.999Z"


# ------------------------------------------------------------------ money
@pytest.mark.parametrize("text, expected", [("5", "5.00"), ("5.0", "5.00"), ("5.00", "5.00"), ("0", "0.00"),
                                            ("052.5", "52.50"), ("9999999.99", "9999999.99")])
def test_money_is_answered_with_two_decimals(text, expected):
    assert parse_money(text) == expected
    assert CartItemSet(qty=1, price=text).price == expected
    event = parse_event(cart_add(price=text, qty=1))
    assert event.data["price"] == expected


@pytest.mark.parametrize("text", [
    "\u0665\u0662.\u0660\u0660",  # Arabic-Indic digits
    "\uff15\uff12.\uff10\uff10",  # full-width digits
    "5.001", "10000000", "10000000.00", "-5.00", "+5", "5.", ".5", "1e3", "NaN", "Infinity", " 5", "5 ", "",
    "5,00", "0x10",
])
def test_money_refuses_anything_but_ascii_digits_with_two_decimals_at_most_9999999_99(text):
    with pytest.raises(MoneyInvalid):
        parse_money(text)
    with pytest.raises(ValidationError):
        OrderLineIn(sku="A", qty=1, price=text)
    assert reason_of(cart_add(price=text)).startswith("data.price:")
    assert reason_of({**storefront_event("order_placed", "v-1", BASE_MS, customer_id="c-1",
                                         data={"order_id": "o-1", "total": text})}).startswith("data.total:")


@pytest.mark.parametrize("value", [5, 5.0, True, ["5"]])
def test_money_is_a_string_never_a_json_number(value):
    assert "data.price" in reason_of(cart_add(price=value))


def test_the_maximum_is_named_in_plain_words():
    assert reason_of(cart_add(price="10000000.00")) == "data.price: must be at most 9999999.99"


@given(st.decimals(min_value=0, max_value=Decimal("9999999.99"), places=2))
def test_money_round_trips_every_amount_in_range(amount):
    text = f"{amount:.2f}"
    assert parse_money(text) == text
    assert parse_money(text.rstrip("0").rstrip(".") or "0") == text


@given(st.text(max_size=12))
def test_money_accepts_only_what_the_ascii_pattern_allows(text):
    import re

    allowed = re.fullmatch(r"[0-9]+(\.[0-9]{1,2})?", text, re.ASCII) is not None and Decimal(text) <= Decimal(
        "9999999.99")
    try:
        parsed = parse_money(text)
    except MoneyInvalid:
        assert not allowed
    else:
        assert allowed and Decimal(parsed) == Decimal(text)
        assert re.fullmatch(r"[0-9]+\.[0-9]{2}", parsed, re.ASCII)


# ------------------------------------------------------------------ characters SQS refuses
@pytest.mark.parametrize("where, change", [
    ("data.name", {"data": {"sku": "A", "name": "Mug \uffff"}}),
    ("data.name", {"data": {"sku": "A", "name": "Mug \ufffe"}}),
    ("data.name", {"data": {"sku": "A", "name": "lone \ud800 surrogate"}}),
    ("data.name", {"data": {"sku": "A", "name": "bell \x07"}}),
    ("url", {"url": "https://shop.example/\uffff"}),
    ("event", {"\uffff": 1}),
    ("data", {"data": {"sku": "A", "x\udfff": "y"}}),
])
def test_characters_sqs_refuses_are_rejected_naming_the_string(where, change):
    raw = {**cart_add(), **change}
    reason = reason_of(raw)
    assert reason.startswith(f"{where}:") and "not allowed" in reason
    reason.encode("utf-8")  # the reason itself is always sendable


def test_characters_sqs_accepts_pass():
    event = validate_event(cart_add(name="Mug \ud7ff \ue000 \ufffd \U0001f600 \U0010ffff"), BASE_MS)
    assert event.data["name"].endswith("\U0010ffff")


# ------------------------------------------------------------------ SPEC 10: C0/C1 refused, tab and newline in text
@pytest.mark.parametrize("character", ["\t", "\n", "\r", "\x85", "\x9f", "\x7f", "\x00"])
def test_control_characters_in_a_one_line_field_are_rejected(character):
    reason = reason_of(cart_add(name=f"Mug{character}Blue"))
    assert reason.startswith("data.name:") and f"U+{ord(character):04X}" in reason


def test_tab_and_newline_are_allowed_in_multi_line_fields_only():
    from shopadmin.models.text import first_refused

    assert first_refused({"street": ["1 Main St\tFlat 2", "Line\n2"], "reason": "a\nb", "comment": "c\td",
                          "text": "Great\nmug"}) is None
    assert first_refused({"street": ["1 Main St\r"]})[0] == "street.0"  # carriage return: not a newline
    assert first_refused({"company": "A\tB"})[0] == "company"
    assert first_refused({"text": "bell \x07"})[0] == "text"
    assert first_refused({"reason": "C1 \x85"})[0] == "reason"
