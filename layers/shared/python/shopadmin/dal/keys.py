"""Every key of the CustomersTable in one place: prefixes, builders and the parsers that undo them.

No other module writes a key string by hand; tests/unit/test_keys.py round-trips each builder.
Ids may hold "#" themselves: a parser strips the fixed prefix and keeps the rest whole, and the
keys with several parts put the free-form part last. Times in keys are epoch ms on 13 digits, so
the string order is the time order until the year 2286. The online index keys (presence table)
live in models/online_index.py, because logic builds its cursors from them.
"""

from __future__ import annotations

from typing import Any

from shopadmin.models.online_index import FIELD_KEY_TEXT_BYTES, field_key_text, shard_of

# ---------------------------------------------------------------- partition keys
CUSTOMER = "CUSTOMER#"  # a customer's partition: profile, addresses, cart, orders, wish list, ...
GUEST = "GUEST#"  # a visitor's session: guest cart and checkout draft
EMAIL_CLAIM = "EMAIL#"  # EMAIL#<website>#<email, lower case>: one customer per email and website
AUDIT = "AUDIT#"  # a customer's audit entries
DELETED = "DELETED#"  # a deleted customer's anonymized orders
EVENT = "EVENT#"  # marker of an applied storefront event (apply-once)
LOGIN_AS_SECRET = "LOGINAS#"  # LOGINAS#<sha256 of the secret>
PASSWORD_RESET_SECRET = "RESET#"  # RESET#<sha256 of the token>
CONFIG_KEY = ("CONFIG", "online-customers")
WEBSITES_KEY = ("META", "websites")  # the former websites list (read by nothing now)
WEBSITES_PK = "WEBSITES"  # the website registry: one item per website, sk = the website id
ONLINE_COUNT = "ONLINECOUNT#"  # ONLINECOUNT#<shard>#<website>: the summary's counters, one item per minute

# ---------------------------------------------------------------- sort keys
PROFILE_SK = "PROFILE"
DELETED_SK = "DELETED"  # tombstone of a deleted customer
ACTIVITY_SK = "ACTIVITY"
CLAIM_SK = "EMAIL"
DRAFT_SK = "CHECKOUT_DRAFT"
LOGIN_AS_SECRET_SK = "SECRET"
PASSWORD_RESET_SECRET_SK = "TOKEN"
PASSWORD_RESET_RATE_SK = "RATE#password-reset"
ADDRESS_PAGE_PREFIX = "ADDRESSES#"  # ADDRESSES#<page, 2 digits>: up to 10 addresses each
CART_PREFIX = "CART#"
ORDER_PREFIX = "ORDER#"
WISH_PREFIX = "WISH#"
REVIEW_PREFIX = "REVIEW#"
NEWSLETTER_PREFIX = "NEWSLETTER#"
NEWSLETTER_SENT_PREFIX = "NEWSLETTER_SENT#"
BALANCE_PREFIX = "BALANCE#"
LEDGER_PREFIX = "LEDGER#"
REF_PREFIX = "SECRET#"  # SECRET#<kind>#<hash>: the customer's pointer to an issued secret

# ---------------------------------------------------------------- the grid indexes
# The grid indexes are write-sharded: a profile's grid_pk is "CUSTOMERS#<shard>" (blake2b of its id
# mod GRID_SHARD_COUNT), so registrations, whose created keys all land at the same end of the
# order, spread over GRID_SHARD_COUNT index partitions. Profiles saved before the shards existed
# keep "CUSTOMERS" until their next save; the grid reads that partition too.
GRID_SHARD_COUNT = 8
LEGACY_GRID_PARTITION = "CUSTOMERS"

_SECRET_KEYS: dict[str, tuple[str, str]] = {
    "login-as": (LOGIN_AS_SECRET, LOGIN_AS_SECRET_SK),
    "password-reset": (PASSWORD_RESET_SECRET, PASSWORD_RESET_SECRET_SK),
}


def strip(prefix: str, key: str) -> str:
    """The part after `prefix`; ValueError when the key is not one of those."""
    if not key.startswith(prefix):
        raise ValueError(f"not a {prefix} key")
    return key[len(prefix):]


def _ms(at_ms: int) -> str:
    return f"{at_ms:013d}"


# ---------------------------------------------------------------- builders
def customer_pk(customer_id: str) -> str:
    return CUSTOMER + customer_id


def guest_pk(session_id: str) -> str:
    return GUEST + session_id


def email_claim_pk(website_id: str, email: str) -> str:
    return f"{EMAIL_CLAIM}{website_id}#{email.strip().lower()}"


def audit_pk(customer_id: str) -> str:
    return AUDIT + customer_id


def audit_sk(at_ms: int, entry_id: str) -> str:
    return f"{_ms(at_ms)}#{entry_id}"


def deleted_orders_pk(customer_id: str) -> str:
    """Where a deleted customer's anonymized orders are kept (sk ORDER#<id>, as before)."""
    return DELETED + customer_id


def online_count_pk(website_id: str, shard: int) -> str:
    """The counters of one online-index shard of a website (the website id last: it is free-form)."""
    return f"{ONLINE_COUNT}{shard}#{website_id}"


def online_count_sk(minute_start_ms: int) -> str:
    """One minute of counters: sort keys in time order, so a Query from the window's first minute on reads them."""
    return _ms(minute_start_ms)


def event_marker_pk(event_id: str) -> str:
    return EVENT + event_id


def address_page_sk(page: int) -> str:
    """The sort key of one page of the address book (pages 0..99, so the string order is the page order)."""
    if not 0 <= page <= 99:
        raise ValueError("an address page is numbered 0..99")
    return f"{ADDRESS_PAGE_PREFIX}{page:02d}"


def address_page_of(sk: str) -> int:
    return int(strip(ADDRESS_PAGE_PREFIX, sk))


def cart_sk(sku: str) -> str:
    return CART_PREFIX + sku


def order_sk(order_id: str) -> str:
    return ORDER_PREFIX + order_id


def wish_sk(sku: str) -> str:
    return WISH_PREFIX + sku


def review_sk(review_id: str) -> str:
    return REVIEW_PREFIX + review_id


def newsletter_sk(website_id: str) -> str:
    return NEWSLETTER_PREFIX + website_id


def newsletter_sent_sk(sent_at_ms: int, queue_id: str) -> str:
    return f"{NEWSLETTER_SENT_PREFIX}{_ms(sent_at_ms)}#{queue_id}"


def balance_sk(account: str) -> str:
    return BALANCE_PREFIX + account


def ledger_sk(account: str, at_ms: int, entry_id: str) -> str:
    return f"{LEDGER_PREFIX}{account}#{_ms(at_ms)}#{entry_id}"


def secret_key(kind: str, secret_hash: str) -> tuple[str, str]:
    """(pk, sk) of an issued secret, stored under the hash of the secret only."""
    prefix, sk = _SECRET_KEYS[kind]
    return prefix + secret_hash, sk


def ref_sk(kind: str, secret_hash: str) -> str:
    return f"{REF_PREFIX}{kind}#{secret_hash}"


# An index sort key holds at most 1,024 bytes: 255 emoji (4 bytes each) in a name would pass the API's
# 255-character rule and fail DynamoDB. Sorting and prefix search need only the first bytes; the
# online name/email indexes cut their keys the same way (models/online_index.py).
GRID_KEY_TEXT_BYTES = FIELD_KEY_TEXT_BYTES


def grid_key_text(value: str | None) -> str:
    """Lower-cased, cut to GRID_KEY_TEXT_BYTES of UTF-8 on a character boundary (keys and search prefixes)."""
    return field_key_text(value)


def grid_partition(customer_id: str) -> str:
    return f"{LEGACY_GRID_PARTITION}#{shard_of(customer_id, GRID_SHARD_COUNT)}"


def grid_partitions() -> list[str]:
    """Every partition of the grid indexes, the pre-shard one included."""
    return [LEGACY_GRID_PARTITION, *(f"{LEGACY_GRID_PARTITION}#{shard}" for shard in range(GRID_SHARD_COUNT))]


def grid_keys(customer_id: str, created_at: int, email: str | None, first: str | None,
              last: str | None) -> dict[str, Any]:
    """The grid index attributes of a profile: its shard, sort keys "<value, lower case, ≤ 400 bytes>#<id>"."""
    def key(value: str | None) -> str:
        return f"{grid_key_text(value)}#{customer_id}"

    return {"grid_pk": grid_partition(customer_id), "grid_created": f"{_ms(created_at)}#{customer_id}",
            "grid_email": key(email), "grid_first_name": key(first), "grid_last_name": key(last)}


# ---------------------------------------------------------------- parsers (the inverse of the builders)
def parse_email_claim_pk(pk: str) -> tuple[str, str]:
    website_id, _, email = strip(EMAIL_CLAIM, pk).partition("#")
    return website_id, email


def parse_online_count_pk(pk: str) -> tuple[str, int]:
    """(website_id, shard) of a counters partition."""
    shard, _, website_id = strip(ONLINE_COUNT, pk).partition("#")
    return website_id, int(shard)


def parse_online_count_sk(sk: str) -> int:
    return int(sk)


def parse_audit_sk(sk: str) -> tuple[int, str]:
    at, _, entry_id = sk.partition("#")
    return int(at), entry_id


def parse_newsletter_sent_sk(sk: str) -> tuple[int, str]:
    at, _, queue_id = strip(NEWSLETTER_SENT_PREFIX, sk).partition("#")
    return int(at), queue_id


def parse_ledger_sk(sk: str) -> tuple[str, int, str]:
    account, at, entry_id = strip(LEDGER_PREFIX, sk).split("#", 2)
    return account, int(at), entry_id


def parse_secret_key(pk: str, sk: str) -> tuple[str, str]:
    """(kind, secret hash) of an issued secret's key."""
    for kind, (prefix, secret_sk) in _SECRET_KEYS.items():
        if pk.startswith(prefix) and sk == secret_sk:
            return kind, strip(prefix, pk)
    raise ValueError("not a secret key")


def parse_ref_sk(sk: str) -> tuple[str, str]:
    kind, _, secret_hash = strip(REF_PREFIX, sk).partition("#")
    return kind, secret_hash
