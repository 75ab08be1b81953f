"""The base of every pydantic model of ours: schemas are built when first used, not at import.

A function imports every model of the routes it serves, but a request validates a few: building
each model's validator at import cost CustomersFunction ~100 ms of its cold start (issue 24 item 5).
pydantic builds a deferred model on its first validation, serialization or JSON schema.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shopadmin.models.examples import add_examples


class Model(BaseModel):
    # add_examples: an example on every field of the OpenAPI document (models/examples.py)
    model_config = ConfigDict(defer_build=True, json_schema_extra=add_examples)
