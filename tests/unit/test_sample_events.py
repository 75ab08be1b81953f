"""The sample events of events/ (for `sam local invoke -e`) stay valid against the code and the template."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest
from shopadmin.logic.ingest import unwrap
from shopadmin.models.events import EventType, parse_event

from local import template

EVENTS = Path(__file__).resolve().parents[2] / "events"
EVENT_TYPES = set(typing.get_args(EventType))
ENVELOPES = ("sqs", "eventbridge")


def samples(folder: str) -> list[Path]:
    return sorted((EVENTS / folder).glob("*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def sample_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.fixture(scope="module")
def routes() -> dict[str, template.Route]:
    return {route.key: route for route in template.routes()}


@pytest.mark.parametrize("envelope", ENVELOPES)
def test_one_sample_per_event_type(envelope):
    assert {p.stem for p in samples(envelope)} == EVENT_TYPES, "run: python events/generate.py"


@pytest.mark.parametrize("path", [p for e in ENVELOPES for p in samples(e)], ids=sample_id)
def test_queue_sample_holds_a_valid_event_of_its_type(path):
    records = load(path)["Records"]
    assert len(records) == 1
    record = records[0]
    assert record["eventSource"] == "aws:sqs" and record["messageId"]
    raw = unwrap(record["body"])
    event = parse_event(raw)
    assert event.type == path.stem
    if path.parent.name == "eventbridge":
        envelope = json.loads(record["body"])
        assert (envelope["source"], envelope["detail-type"]) == ("storefront", event.type)
    else:
        assert "detail" not in json.loads(record["body"])  # the plain event, as the HTTP intake enqueues it


def test_both_envelopes_carry_the_same_event():
    for path in samples("sqs"):
        plain = unwrap(load(path)["Records"][0]["body"])
        wrapped = unwrap(load(EVENTS / "eventbridge" / path.name)["Records"][0]["body"])
        assert plain == wrapped, path.stem


def test_there_are_http_samples():
    assert samples("http")


@pytest.mark.parametrize("path", samples("http"), ids=sample_id)
def test_http_sample_matches_a_route_of_the_template(path, routes):
    event = load(path)
    assert event["version"] == "2.0"
    route = routes.get(event["routeKey"])
    assert route is not None, f"{event['routeKey']!r} is not a route of template.yaml (update events/generate.py)"
    context = event["requestContext"]
    assert context["routeKey"] == event["routeKey"]
    assert context["http"]["method"] == route.method
    assert route.path_regex.match(event["rawPath"]) and context["http"]["path"] == event["rawPath"]
    names = set(route.path_regex.groupindex)
    assert set(event.get("pathParameters") or {}) == names
    if route.authorizer is None:  # a public route: no token, no authorizer block
        assert "authorizer" not in context and "authorization" not in event["headers"]
        return
    jwt = context["authorizer"]["jwt"]
    assert all(isinstance(value, str) for value in jwt["claims"].values())  # API Gateway passes strings
    assert set(route.scopes) <= set(jwt["scopes"]), "the sample token must carry the route's scopes"


def test_every_route_has_an_http_sample(routes):
    covered = {load(path)["routeKey"] for path in samples("http")}
    missing = sorted(set(routes) - covered)
    assert not missing, f"add samples for {missing} in events/generate.py"
