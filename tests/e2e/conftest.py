"""End-to-end fixtures: one local stack (`python -m local.stack`) for the whole session.

The stack runs as a subprocess exactly as `make run` starts it, on free ports, and the tests
talk to it over HTTP (requests) and to its moto endpoint (boto3), never to its internals.
Its output is collected all along; if it dies or is not READY in time, the session fails
with that output.
"""

from __future__ import annotations

from collections.abc import Callable

import boto3
import pytest

from local import token as dev_token  # tests/conftest.py puts the repo root on sys.path
from tests.e2e.stack import (
    Api,
    Storefront,
    eventually,
    new_customer,
    online_row,
    put_storefront_events,
    start_stack,
    stop,
)


@pytest.fixture(scope="session")
def stack():
    running = start_stack()
    yield running
    code = stop(running.process)
    assert code == 0, f"the local stack did not stop cleanly on SIGTERM (exit {code}):\n{running.log()}"


@pytest.fixture(scope="session")
def api(stack) -> Api:
    return Api(stack, dev_token.mint())  # tokens come from local.token, as `make token` mints them


# ---------------------------------------------------------------- AWS (moto) side
@pytest.fixture(scope="session")
def aws(stack):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                                    region_name="us-east-1")
    return {name: session.client(name, endpoint_url=stack.moto_endpoint) for name in ("events", "sqs")}


# Helpers reach the tests as fixtures: test modules never import conftest (its module name is
# shared with every other test folder's conftest).
@pytest.fixture(scope="session")
def wait_for():
    return eventually


@pytest.fixture
def customer() -> tuple[Storefront, str]:
    """A new customer's storefront session and a unique email."""
    return new_customer()


@pytest.fixture(scope="session")
def new_visitor() -> Callable[[], Storefront]:
    """new_visitor() -> a new anonymous storefront session."""
    return Storefront


@pytest.fixture(scope="session")
def row_of(api):
    """row_of(session_id) -> its row in GET /online-customers, or None."""
    return lambda session_id: online_row(api, session_id)


@pytest.fixture(scope="session")
def send_to_bus(aws, stack):
    """send_to_bus(events): PutEvents to the stack's bus, as a storefront would."""
    return lambda events: put_storefront_events(aws, stack, events)
