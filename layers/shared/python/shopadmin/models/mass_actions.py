"""Grid mass actions (SPEC 7): one action over up to 100 selected customers."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from shopadmin.models.base import Model
from shopadmin.models.customer import GroupId
from shopadmin.models.events import Identifier, WebsiteId
from shopadmin.models.examples import with_examples

MAX_SELECTED = 100
MassActionName = Literal["delete", "subscribe", "unsubscribe", "assign_group"]
ResultStatus = Literal["ok", "not_found", "failed"]


class MassActionRequest(Model):
    """`group_id` goes with `assign_group` only; `website_id` (the newsletter's website) with
    subscribe/unsubscribe only, and defaults to each customer's own website."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=with_examples(
        {"action": "assign_group", "customer_ids": ["c-1001", "c-1002"], "group_id": 2},
        {"action": "unsubscribe", "customer_ids": ["c-1001"], "website_id": "base"},
    ))

    action: MassActionName
    customer_ids: list[Identifier] = Field(min_length=1, max_length=MAX_SELECTED,
                                           description=f"1-{MAX_SELECTED} customer ids, each once")
    website_id: WebsiteId | None = Field(default=None, validate_default=True)
    group_id: GroupId | None = Field(default=None, validate_default=True)

    # Field validators (not a model validator), so each refusal names its own field.
    @field_validator("customer_ids")
    @classmethod
    def _each_once(cls, ids: list[str]) -> list[str]:
        if len(set(ids)) != len(ids):
            raise PydanticCustomError("duplicate", "each customer may be selected once")
        return ids

    @field_validator("website_id")
    @classmethod
    def _website_for_newsletter_only(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("action") not in ("subscribe", "unsubscribe"):
            raise PydanticCustomError("not_allowed", "only for subscribe and unsubscribe")
        return value

    @field_validator("group_id")
    @classmethod
    def _group_for_assign_group_only(cls, value: int | None, info: ValidationInfo) -> int | None:
        action = info.data.get("action")
        if action == "assign_group" and value is None:
            raise PydanticCustomError("required", "required to assign a group")
        if action != "assign_group" and value is not None:
            raise PydanticCustomError("not_allowed", "only for assign_group")
        return value


class MassActionResult(Model):
    customer_id: str
    status: ResultStatus = Field(description="ok | not_found | failed")
    reason: str | None = Field(default=None, description="Why, for not_found and failed (plain language)")


class MassActionResults(Model):
    results: list[MassActionResult] = Field(description="One per selected customer, in request order")
