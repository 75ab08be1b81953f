"""Money math and the commerce rules that need no AWS: totals, order bodies, retries of adjustments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError
from shopadmin.errors import Busy, ChangeConflict, InvalidRequest, NotFound
from shopadmin.logic import customer_commerce as commerce
from shopadmin.models.commerce import (
    CartItemSet,
    CartLineRecord,
    LedgerRecord,
    OrderCreate,
    RewardPointsAdjustment,
    StoreCreditAdjustment,
)
from shopadmin.models.money import format_cents, line_total_cents, round_money, to_cents, total_cents


# ------------------------------------------------------------------ money
@pytest.mark.parametrize("text, cents", [("0.00", 0), ("12.50", 1250), ("-0.05", -5), ("+3.00", 300),
                                         ("99999999.99", 9999999999), ("7", 700), (Decimal("1.10"), 110)])
def test_to_cents_is_exact(text, cents):
    assert to_cents(text) == cents


@pytest.mark.parametrize("text", ["1.005", "abc", "NaN", "Infinity", ""])
def test_to_cents_refuses_fractions_of_a_cent_and_non_numbers(text):
    with pytest.raises(ValueError):
        to_cents(text)


@pytest.mark.parametrize("cents, text", [(0, "0.00"), (1250, "12.50"), (-5, "-0.05"), (-1250, "-12.50"),
                                         (100000000000, "1000000000.00")])
def test_format_cents(cents, text):
    assert format_cents(cents) == text
    assert to_cents(format_cents(cents)) == cents


def test_totals_never_drift_like_floats():
    # 0.10 x 3 is 0.30000000000000004 in floats
    assert line_total_cents("0.10", 3) == 30
    assert format_cents(total_cents([("0.10", 3), ("0.20", 1), ("52.00", 2)])) == "104.50"
    assert format_cents(total_cents([("0.01", 10_000)] * 90)) == "9000.00"
    assert round_money(Decimal("10") / 3) == "3.33" and round_money(Decimal("0.005")) == "0.01"


# ------------------------------------------------------------------ request bodies
@pytest.mark.parametrize("amount", ["0.00", "-0.00", "100000.01", "-100000.01", "1.234", "1e3", " ", "\u0661.00"])
def test_store_credit_amount_rules(amount):
    with pytest.raises(ValidationError):
        StoreCreditAdjustment(amount=amount, reason="r")


def test_store_credit_amount_bounds_are_inclusive():
    assert StoreCreditAdjustment(amount="-100000.00", reason="r").amount == "-100000.00"
    assert StoreCreditAdjustment(amount="0.01", reason=" r ").reason == "r"
    assert StoreCreditAdjustment(amount="-1.5", reason="r").amount == "-1.50"  # SPEC 7: answered with two


@pytest.mark.parametrize("points", [0, 1_000_001, -1_000_001, True, "5"])
def test_reward_points_rules(points):
    with pytest.raises(ValidationError):
        RewardPointsAdjustment(points=points, reason="r")


@pytest.mark.parametrize("qty", [0, 10_001, -1, 2.5, "3", True])
def test_cart_quantity_is_an_integer_from_1_to_10000(qty):
    with pytest.raises(ValidationError):
        CartItemSet(qty=qty)


def test_order_body_needs_exactly_one_of_items_or_from_cart():
    assert commerce.order_lines_from_body(OrderCreate(from_cart=True)) is None
    lines = commerce.order_lines_from_body(OrderCreate(items=[{"sku": "A", "qty": 2, "price": "1.00"}]))
    assert lines == [CartLineRecord("A", 2, None, "1.00")]
    for body, field in ((OrderCreate(), "body.items"), (OrderCreate(from_cart=False), "body.from_cart"),
                        (OrderCreate(items=[{"sku": "A", "qty": 1, "price": "1.00"}], from_cart=True),
                         "body.from_cart")):
        with pytest.raises(InvalidRequest) as error:
            commerce.order_lines_from_body(body)
        assert error.value.details[0]["field"] == field


def test_an_order_line_needs_a_price():
    with pytest.raises(ValidationError) as error:
        OrderCreate(items=[{"sku": "A", "qty": 1}])
    assert error.value.errors()[0]["loc"] == ("items", 0, "price")


def test_cart_changes_name_each_changed_field():
    before = CartLineRecord("MH01", 1, "Hoodie", "52.00")
    assert commerce.cart_changes("MH01", before, CartLineRecord("MH01", 3, "Hoodie", "52.00")) == {
        "cart.MH01.qty": {"before": 1, "after": 3}}
    assert commerce.cart_changes("MH01", before, None) == {
        "cart.MH01.qty": {"before": 1, "after": None}, "cart.MH01.name": {"before": "Hoodie", "after": None},
        "cart.MH01.price": {"before": "52.00", "after": None}}
    assert commerce.cart_changes("MH01", before, before) == {}


# ------------------------------------------------------------------ adjustments: retries and the ledger view
class FakeBalances:
    """A balance store whose guarded write fails `conflicts` times (another adjustment got there first)."""

    def __init__(self, balance: int | None = None, conflicts: int = 0, exists: bool = True):
        self.balance, self.conflicts, self.exists = balance, conflicts, exists
        self.writes: list[tuple[int | None, LedgerRecord]] = []

    def balance_state(self, customer_id, account):
        return self.exists, self.balance

    def adjust_balance(self, customer_id, account, before, entry, audit, now_ms):
        if self.conflicts:
            self.conflicts -= 1
            self.balance = (self.balance or 0) + 100  # the concurrent adjustment that won
            raise ChangeConflict("changed")
        assert before == self.balance
        self.balance = entry.balance
        self.writes.append((before, entry))
        self.audit = audit


def test_an_adjustment_retries_on_the_new_balance_until_it_applies():
    store = FakeBalances(balance=1000, conflicts=3)
    pauses = []
    balance, entry = commerce.adjust_store_credit("c1", "-2.50", "oops", store, "admin-1", 1_000, pause=pauses.append)
    assert pauses == [0, 1, 2]
    assert balance == "10.50" and entry.balance == "10.50" and entry.amount == "-2.50"
    assert store.writes[0][0] == 1300  # applied to the balance it read last
    assert store.audit.changes["store_credit"] == {"before": "13.00", "after": "10.50"}


def test_an_adjustment_that_would_go_negative_writes_nothing():
    store = FakeBalances(balance=100)
    with pytest.raises(InvalidRequest) as error:
        commerce.adjust_store_credit("c1", "-1.01", "r", store, "a", 1, pause=lambda a: None)
    assert error.value.details[0]["field"] == "body.amount" and not store.writes


def test_an_unknown_customer_is_not_found_before_any_balance_rule():
    with pytest.raises(NotFound):
        commerce.adjust_reward_points("nobody", -5, "r", FakeBalances(exists=False), "a", 1, pause=lambda a: None)


def test_endless_contention_is_busy_not_a_conflict():
    store = FakeBalances(balance=0, conflicts=10 ** 6)
    with pytest.raises(Busy):
        commerce.adjust_reward_points("c1", 5, "r", store, "a", 1, pause=lambda a: None)
    assert Busy.status == 503


def test_balances_view_shows_ledgers_newest_first():
    ledgers = {"store_credit": [LedgerRecord("a", 1, 500, 500, "in", "x"), LedgerRecord("b", 2, -200, 300, "out", "y")],
               "reward_points": [LedgerRecord("c", 5, 40, 40, "p", None)]}
    credit, points = commerce.balances_view({"store_credit": 300, "reward_points": 40}, ledgers)
    assert credit.balance == "3.00" and [e.id for e in credit.ledger] == ["b", "a"]
    assert credit.ledger[0].amount == "-2.00" and credit.ledger[0].balance == "3.00"
    assert points.balance == 40 and points.ledger[0].points == 40
    empty_credit, empty_points = commerce.balances_view({}, {})
    assert empty_credit.balance == "0.00" and empty_points.balance == 0 and empty_credit.ledger == []
