"""An example on every field of the OpenAPI document, by field name (issue 25, SPEC 7).

Swagger UI invents an example from a field's pattern when it has none ("v3sbCh%}/tN4vF…" for an
email, "QD" for a country). `add_examples` is every model's `json_schema_extra` (models/base.py):
each property without an example gets the first value of `EXAMPLES[name]` whose JSON type the
property accepts, else one by type alone (a nested object or list of objects is left to its own
schema's examples). tests/unit/test_openapi_examples.py checks every example against its field's
schema (type, pattern, bounds, choices).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Candidates per field name ("Model.field" first), first fitting type wins: one name means money in
# one model and a count in another.
EXAMPLES: dict[str, tuple[Any, ...]] = {
    "action": ("assign_group", "customer_updated"),
    "actor": ("admin alice",),
    "added_at": ("2026-12-07T09:30:00Z",),
    "allow_remote_assistance": (True,),
    "amount": ("-5.00",),
    "assisted_by": ("alice",),
    "at": ("2026-12-07T09:30:00Z",),
    "average_sale": ("52.00",),
    "balance": ("25.00", 120),
    "city": ("Lyon",),
    "code": ("required",),
    "company": ("Analytical Ltd",),
    "count": (3,),
    "country_id": ("FR",),
    "created_at": ("2026-11-02T14:05:00Z",),
    "customer_data_lifetime": (60,),
    "customer_id": ("c-1001",),
    "customer_ids": (["c-1001", "c-1002"],),
    "default_billing": (True,),
    "default_shipping": (True,),
    "dob": ("1815-12-10",),
    "email": ("ada@example.com",),
    "events": ([{"event_id": "0b7e8a52-3f7c-4d38-9f4e-5a2f7d0c1e11", "type": "page_viewed",
                 "occurred_at": "2026-12-07T09:58:12Z", "session_id": "v-7f3a9c", "website_id": "base",
                 "customer_id": None, "url": "https://shop.example/women/tops", "data": {}}],),
    "event_id": ("0b7e8a52-3f7c-4d38-9f4e-5a2f7d0c1e11",),
    "expires_at": ("2026-12-07T10:30:00Z",),
    "field": ("body.email",),
    "first_name": ("Ada",),
    "from_cart": (True,),
    "gender": ("female",),
    "group_id": (1,),
    "id": ("a-1", "c-1001"),
    "last_activity": ("2026-12-07T09:58:12Z",),
    "last_login_at": ("2026-12-07T09:12:00Z",),
    "last_logout_at": ("2026-12-06T18:40:00Z",),
    "last_name": ("Lovelace",),
    "last_url": ("https://shop.example/women/tops",),
    "lifetime_sales": ("312.00",),
    "message": ("Check these fields: body.email",),
    "middle_name": ("King",),
    "name": ("Radiant Tee",),
    "Website.name": ("Main Website",),
    "WebsiteSave.name": ("Main Website",),
    "next_cursor": ("eyJrIjoiLi4uIn0.sig",),
    "online": (True,),
    "online_minutes_interval": (15,),
    "placed_by": ("admin alice",),
    "points": (100,),
    "postcode": ("69002",),
    "prefix": ("Ms",),
    "price": ("52.00",),
    "qty": (2,),
    "rating": (5,),
    "reason": ("must be an email address, e.g. name@example.com", "Goodwill for a late delivery"),
    "region": ("Rhône",),
    "secret": ("q8X2lVbJ4mN0pR7tK1wZ3yH5",),
    "secrets_revoked": (1,),
    "session_id": ("v-7f3a9c",),
    "session_start": ("2026-12-07T09:12:00Z",),
    "sessions_signed_out": (1,),
    "signed_in": (True,),
    "sku": ("MH01",),
    "status": ("ok",),
    "storefront_url": ("https://shop.example",),
    "street": (["12 rue de la République"],),
    "subscribed": (True,),
    "suffix": ("PhD",),
    "taxvat": ("FR40303265045",),
    "telephone": ("+33 4 78 00 00 00",),
    "timezone": ("Europe/Paris",),
    "total": (7, "104.00"),
    "type": ("customer",),
    "version": (2,),
    "website_id": ("base",),
}
_BY_TYPE: dict[str, Any] = {"string": "text", "integer": 1, "number": 1.5, "boolean": True}
_JSON_TYPES: dict[type, str] = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array"}


def _accepted(prop: dict[str, Any]) -> list[dict[str, Any]]:
    """The property's alternatives (anyOf branches, or itself), without null."""
    branches = prop.get("anyOf") or [prop]
    return [b for b in branches if b.get("type") != "null"]


def _has_example(prop: dict[str, Any]) -> bool:
    return any("examples" in b or "example" in b for b in (prop, *prop.get("anyOf", ())))


def _fits(value: Any, branch: dict[str, Any]) -> bool:
    if "const" in branch:
        return bool(value == branch["const"])
    if "enum" in branch:
        return value in branch["enum"]
    wanted = branch.get("type")
    return wanted is not None and _JSON_TYPES.get(type(value)) == wanted


def example_for(model: str, name: str, prop: dict[str, Any]) -> Any | None:
    """An example for one property, or None (a nested object, or nothing fits)."""
    branches = _accepted(prop)
    for value in EXAMPLES.get(f"{model}.{name}", EXAMPLES.get(name, ())):
        if any(_fits(value, branch) for branch in branches):
            return value
    for branch in branches:
        if "const" in branch:
            return branch["const"]
        if "enum" in branch:
            return branch["enum"][0]
        if branch.get("type") == "array" and not branch.get("minItems"):
            return []  # a list of free-form objects: its shape is described in words
        if branch.get("type") in _BY_TYPE and "pattern" not in branch:
            return _BY_TYPE[branch["type"]]
    return None


def add_examples(schema: dict[str, Any], model: type) -> None:
    """pydantic's json_schema_extra: fill in `examples` on every property that has none."""
    for name, prop in (schema.get("properties") or {}).items():
        if _has_example(prop):
            continue
        value = example_for(model.__name__, name, prop)
        if value is not None:
            prop["examples"] = [value]


def with_examples(*whole: dict[str, Any]) -> Callable[[dict[str, Any], type], None]:
    """json_schema_extra of a model that also shows whole examples of itself."""
    def extra(schema: dict[str, Any], model: type) -> None:
        schema["examples"] = list(whole)
        add_examples(schema, model)

    return extra
