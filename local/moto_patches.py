"""Every local patch of moto, installed together: the moto process, the integration tests and bench/ call `install()`.

Each fixes a cost or a gap of the emulator only, never what the product sends (see each module):
- `moto_transactions`: a transaction backs up the items it touches, not whole tables;
- `moto_queries`: a Query reads its partition instead of sorting the whole table first;
- `moto_atomic`: one DynamoDB request at a time, as atomic as DynamoDB makes each;
- `moto_dispatch`: the server finds a request's service once per host, not per request.
"""

from __future__ import annotations

from local import moto_atomic, moto_dispatch, moto_queries, moto_transactions


def install() -> None:
    """Idempotent: every patch, in this process."""
    moto_transactions.install()
    moto_queries.install()
    moto_atomic.install()
    moto_dispatch.install()
