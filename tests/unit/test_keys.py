"""dal/keys.py: every key builder round-trips through its parser, and keys of different kinds never collide."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shopadmin.dal import keys

ids = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1, max_size=40)
plain = st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True)  # website ids, accounts: never hold "#"
epoch_ms = st.integers(min_value=0, max_value=9_999_999_999_999)

SIMPLE = [
    (keys.customer_pk, keys.CUSTOMER), (keys.guest_pk, keys.GUEST), (keys.audit_pk, keys.AUDIT),
    (keys.deleted_orders_pk, keys.DELETED), (keys.event_marker_pk, keys.EVENT),
    (keys.cart_sk, keys.CART_PREFIX), (keys.order_sk, keys.ORDER_PREFIX), (keys.wish_sk, keys.WISH_PREFIX),
    (keys.review_sk, keys.REVIEW_PREFIX), (keys.newsletter_sk, keys.NEWSLETTER_PREFIX),
    (keys.balance_sk, keys.BALANCE_PREFIX),
]


@pytest.mark.parametrize(("build", "prefix"), SIMPLE, ids=[build.__name__ for build, _ in SIMPLE])
@given(value=ids)
def test_single_part_keys_round_trip(build, prefix, value):
    assert keys.strip(prefix, build(value)) == value


@given(website=plain, email=ids)
def test_email_claim_round_trips_with_the_email_normalized(website, email):
    assert keys.parse_email_claim_pk(keys.email_claim_pk(website, email)) == (website, email.strip().lower())


@given(at=st.integers(min_value=0, max_value=9_999_999_999_998), entry_id=ids)  # 13 digits, as in the key
def test_audit_sort_key_round_trips_and_sorts_by_time(at, entry_id):
    assert keys.parse_audit_sk(keys.audit_sk(at, entry_id)) == (at, entry_id)
    assert keys.audit_sk(at, entry_id) < keys.audit_sk(at + 1, entry_id)


@given(website=ids, shard=st.integers(min_value=0, max_value=999), minute=epoch_ms)
def test_online_count_keys_round_trip_and_sort_by_time(website, shard, minute):
    assert keys.parse_online_count_pk(keys.online_count_pk(website, shard)) == (website, shard)
    assert keys.parse_online_count_sk(keys.online_count_sk(minute)) == minute
    if minute < 9_999_999_999_999:
        assert keys.online_count_sk(minute) < keys.online_count_sk(minute + 1)


@given(at=epoch_ms, queue_id=ids)
def test_newsletter_sent_key_round_trips(at, queue_id):
    assert keys.parse_newsletter_sent_sk(keys.newsletter_sent_sk(at, queue_id)) == (at, queue_id)


@given(account=plain, at=epoch_ms, entry_id=ids)
def test_ledger_key_round_trips(account, at, entry_id):
    assert keys.parse_ledger_sk(keys.ledger_sk(account, at, entry_id)) == (account, at, entry_id)


@pytest.mark.parametrize("kind", ["login-as", "password-reset"])
@given(secret_hash=st.from_regex(r"[0-9a-f]{64}", fullmatch=True))
def test_secret_keys_and_refs_round_trip(kind, secret_hash):
    assert keys.parse_secret_key(*keys.secret_key(kind, secret_hash)) == (kind, secret_hash)
    assert keys.parse_ref_sk(keys.ref_sk(kind, secret_hash)) == (kind, secret_hash)


def test_the_stored_layout_is_the_documented_one():
    """The strings the table already holds (docs/data-model.md): changing one orphans stored items."""
    assert keys.customer_pk("c-1") == "CUSTOMER#c-1" and keys.guest_pk("v-1") == "GUEST#v-1"
    assert keys.email_claim_pk("base", " Ada@Example.com ") == "EMAIL#base#ada@example.com"
    assert keys.secret_key("login-as", "ab") == ("LOGINAS#ab", "SECRET")
    assert keys.secret_key("password-reset", "ab") == ("RESET#ab", "TOKEN")
    assert keys.ref_sk("login-as", "ab") == "SECRET#login-as#ab"
    assert keys.ledger_sk("store_credit", 5, "e") == "LEDGER#store_credit#0000000000005#e"
    assert keys.newsletter_sent_sk(5, "q") == "NEWSLETTER_SENT#0000000000005#q"
    assert keys.grid_keys("c-1", 5, "Ada@X.com", None, "King") == {
        "grid_pk": "CUSTOMERS#7", "grid_created": "0000000000005#c-1", "grid_email": "ada@x.com#c-1",
        "grid_first_name": "#c-1", "grid_last_name": "king#c-1"}
    # the pre-shard partition stays readable: profiles not saved since keep it
    assert keys.grid_partitions() == ["CUSTOMERS", *(f"CUSTOMERS#{shard}" for shard in range(8))]


def test_a_key_of_another_kind_is_refused():
    with pytest.raises(ValueError, match="ORDER#"):
        keys.strip(keys.ORDER_PREFIX, keys.cart_sk("A"))
    with pytest.raises(ValueError):
        keys.parse_secret_key("LOGINAS#ab", "TOKEN")


@given(page=st.integers(min_value=0, max_value=99))
def test_address_pages_round_trip_and_sort_in_page_order(page):
    assert keys.address_page_of(keys.address_page_sk(page)) == page
    if page < 99:
        assert keys.address_page_sk(page) < keys.address_page_sk(page + 1)


def test_prefixes_in_one_partition_never_shadow_each_other():
    """A begins_with query on one prefix must never return another kind's items."""
    prefixes = [keys.ADDRESS_PAGE_PREFIX, keys.CART_PREFIX, keys.ORDER_PREFIX, keys.WISH_PREFIX, keys.REVIEW_PREFIX,
                keys.NEWSLETTER_PREFIX, keys.NEWSLETTER_SENT_PREFIX, keys.BALANCE_PREFIX, keys.LEDGER_PREFIX,
                keys.REF_PREFIX]
    for one in prefixes:
        for other in prefixes:
            assert one == other or not other.startswith(one), (one, other)
    fixed = [keys.PROFILE_SK, keys.DELETED_SK, keys.ACTIVITY_SK, keys.CLAIM_SK, keys.DRAFT_SK,
             keys.PASSWORD_RESET_RATE_SK]
    assert not [sk for sk in fixed for prefix in prefixes if sk.startswith(prefix)]
