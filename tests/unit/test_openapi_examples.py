"""Every field of the OpenAPI document shows an example that its own schema accepts (issue 25, SPEC 7)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = json.loads((ROOT / "docs" / "openapi.json").read_text())
# Powertools' own validation-error schemas: no route answers with them (422 is our ErrorResponse)
NOT_OURS = {"HTTPValidationError", "ValidationError"}


def _fields():
    for model, schema in DOCUMENT["components"]["schemas"].items():
        if model in NOT_OURS:
            continue
        for name, prop in (schema.get("properties") or {}).items():
            if not _is_object(prop):
                yield pytest.param(model, name, prop, id=f"{model}.{name}")


def _examples(prop: dict) -> list:
    found = list(prop.get("examples", []))
    for branch in prop.get("anyOf", []):
        found += branch.get("examples", [])
    return found


def _is_object(prop: dict) -> bool:
    """A nested model (or a list of them): Swagger builds its example from that model's fields."""
    branches = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
    return all("$ref" in b or "$ref" in b.get("items", {}) or b.get("type") == "object" for b in branches)


@pytest.mark.parametrize(("model", "name", "prop"), list(_fields()))
def test_every_field_has_an_example_its_schema_accepts(model, name, prop):
    examples = _examples(prop)
    assert examples, f"{model}.{name} has no example: Swagger would invent one from its pattern"
    validator = jsonschema.Draft202012Validator({**prop, "components": DOCUMENT["components"]})
    for example in examples:
        assert not list(validator.iter_errors(example)), f"{model}.{name}: {example!r} breaks its own schema"
