"""moto's own process for the local stack (local/moto_process.py) and its per-host dispatch memo
(local/moto_dispatch.py)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import backends
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from local import moto_dispatch, stack

ROOT = Path(__file__).resolve().parents[2]
HOSTS = ["dynamodb.us-east-1.amazonaws.com", "sqs.eu-west-1.amazonaws.com", "events.us-east-1.amazonaws.com",
         "s3.amazonaws.com", "secretsmanager.us-east-1.amazonaws.com", "moto_api", "dynamodb", None]


@pytest.fixture
def dispatcher():
    moto_dispatch.uninstall()
    app = DomainDispatcherApplication(create_app=lambda service: None)  # type: ignore[arg-type,return-value]
    yield app
    moto_dispatch.uninstall()


def test_the_memo_routes_every_host_as_moto_does(dispatcher) -> None:
    expected = {host: dispatcher.get_backend_for_host(host) for host in HOSTS}
    moto_dispatch.install()
    assert {host: dispatcher.get_backend_for_host(host) for host in HOSTS} == expected
    assert {host: dispatcher.get_backend_for_host(host) for host in HOSTS} == expected  # from the memo now
    assert expected["dynamodb.us-east-1.amazonaws.com"] == "dynamodb"


def test_a_host_is_worked_out_once(dispatcher, monkeypatch) -> None:
    listings = []
    real = backends.list_of_moto_modules
    monkeypatch.setattr(backends, "list_of_moto_modules", lambda: listings.append(1) or real())
    moto_dispatch.install()
    for _ in range(5):
        dispatcher.get_backend_for_host("sqs.us-east-1.amazonaws.com")
    assert len(listings) == 1


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "local.moto_process", *args], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def test_the_process_serves_dynamodb_and_ends_when_its_parent_closes_stdin() -> None:
    process = _start()
    try:
        endpoint = process.stdout.readline().strip().removeprefix("MOTO ")  # type: ignore[union-attr]
        assert endpoint.startswith("http://127.0.0.1:")
        client = boto3.client("dynamodb", endpoint_url=endpoint, region_name="us-east-1",
                              aws_access_key_id="testing", aws_secret_access_key="testing")
        assert client.list_tables()["TableNames"] == []
        process.stdin.close()  # type: ignore[union-attr]  # what the stack's death does
        assert process.wait(15) == 0
    finally:
        process.kill()


def test_a_busy_port_is_reported_not_waited_on() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        moto = stack.MotoProcess(busy.getsockname()[1])
        assert moto.endpoint == ""
        assert moto.error == "port in use"
        assert moto.process.poll() is not None
