"""The local stack's own tools: the port probe of `make run` and `make token WEBSITE=… SUB=…`."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import jwt

from local import stack

ROOT = Path(__file__).resolve().parents[2]


def _listener() -> socket.socket:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server


def test_a_listening_port_is_reported_busy() -> None:
    with _listener() as server:
        assert stack._port_is_free(server.getsockname()[1]) is False


def test_a_port_just_released_with_connections_in_time_wait_is_free() -> None:
    # The server side closes first, so its end of the connection sits in TIME_WAIT: what a
    # stopped `make run` leaves behind. A probe without SO_REUSEADDR fails here for a minute.
    server = _listener()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()
    server.close()
    client.close()
    plain = socket.socket()
    try:
        plain.bind(("127.0.0.1", port))
        in_time_wait = False
    except OSError:
        in_time_wait = True
    finally:
        plain.close()
    assert in_time_wait, "the set-up should leave the port in TIME_WAIT"
    assert stack._port_is_free(port) is True


def test_make_token_binds_a_website_and_a_subject() -> None:
    result = subprocess.run(["make", "-s", "token", "WEBSITE=base", "SUB=support-1", "SCOPES=online:read"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    claims = jwt.decode(result.stdout.strip().splitlines()[-1], options={"verify_signature": False})
    assert (claims["website_id"], claims["sub"], claims["scope"]) == ("base", "support-1", "online:read")
