"""The PynamoDB models and template.yaml declare the same keys and indexes."""

from __future__ import annotations

import pytest
from shopadmin.dal.tables import CustomersTableItem, PresenceItem, ProfileItem

from local import template


def declared(logical_id: str) -> dict:
    return template.translated()["Resources"][logical_id]["Properties"]


def keys(schema: list[dict]) -> dict[str, str]:
    return {k["AttributeName"]: k["KeyType"] for k in schema}


@pytest.mark.parametrize("logical_id, models", [
    ("PresenceTable", [PresenceItem]),
    ("CustomersTable", [CustomersTableItem, ProfileItem]),
])
def test_models_match_the_template(logical_id, models):
    props = declared(logical_id)
    code_keys, code_indexes = {}, {}
    for model in models:
        schema = model._get_schema()
        code_keys = keys(schema["key_schema"])
        for index in schema["global_secondary_indexes"]:
            code_indexes[index["index_name"]] = (keys(index["key_schema"]), index["projection"]["ProjectionType"])
    assert code_keys == keys(props["KeySchema"])
    template_indexes = {i["IndexName"]: (keys(i["KeySchema"]), i["Projection"]["ProjectionType"])
                        for i in props.get("GlobalSecondaryIndexes", [])}
    assert code_indexes == template_indexes
