"""Issue 11, defect 10 (handler side): HTTP API hands the path over percent-DECODED (rawPath), so
the handlers must route any character a path parameter can decode to, and see it exactly."""

from __future__ import annotations

from tests.integration.lambdas import invoke_http
from tests.support import http_event


def session_check(session_id: str):
    path = f"/storefront/sessions/{session_id}"  # decoded, as API Gateway passes it
    event = http_event("GET", path, scopes="sessions:read", path_parameters={"session_id": session_id},
                       route="GET /storefront/sessions/{session_id}")
    return invoke_http("StorefrontSessionsFunction", event)


def test_a_decoded_session_id_with_any_character_reaches_the_handler(aws, clock):
    """Not Powertools' 404 "No such route": the handler's own validation names the field."""
    for session_id in ("×ø\x9b", "a?b#c", "50%", 'quote"d', "v 1"):
        status, body, _ = session_check(session_id)
        assert status == 422, (session_id, body)
        assert [d["field"] for d in body["error"]["details"]] == ["path.session_id"]


def test_a_valid_session_id_is_seen_exactly(aws, clock):
    status, body, _ = session_check("v:1@shop.example")
    assert status == 200 and body == {"session_id": "v:1@shop.example", "signed_in": False, "customer_id": None}
