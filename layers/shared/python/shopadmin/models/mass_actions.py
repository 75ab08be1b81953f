"""Grid mass actions (SPEC 7): one action over up to 100 selected customers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shopadmin.models.customer import GroupId
from shopadmin.models.events import Identifier, WebsiteId

MAX_SELECTED = 100
MassActionName = Literal["delete", "subscribe", "unsubscribe", "assign_group"]
ResultStatus = Literal["ok", "not_found", "failed"]


class MassActionRequest(BaseModel):
    """`group_id` goes with `assign_group` only; `website_id` (the newsletter's website) with
    subscribe/unsubscribe only, and defaults to each customer's own website."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"action": "assign_group", "customer_ids": ["c-1001", "c-1002"], "group_id": 2},
        {"action": "unsubscribe", "customer_ids": ["c-1001"], "website_id": "base"},
    ]})

    action: MassActionName
    customer_ids: list[Identifier] = Field(min_length=1, max_length=MAX_SELECTED,
                                           description=f"1-{MAX_SELECTED} customer ids, each once")
    website_id: WebsiteId | None = None
    group_id: GroupId | None = None

    @model_validator(mode="after")
    def _fits_the_action(self) -> MassActionRequest:
        if len(set(self.customer_ids)) != len(self.customer_ids):
            raise ValueError("customer_ids: each customer may be selected once")
        if self.action == "assign_group" and self.group_id is None:
            raise ValueError("group_id: required to assign a group")
        if self.action != "assign_group" and self.group_id is not None:
            raise ValueError("group_id: only for assign_group")
        if self.action not in ("subscribe", "unsubscribe") and self.website_id is not None:
            raise ValueError("website_id: only for subscribe and unsubscribe")
        return self


class MassActionResult(BaseModel):
    customer_id: str
    status: ResultStatus = Field(description="ok | not_found | failed")
    reason: str | None = Field(default=None, description="Why, for not_found and failed (plain language)")


class MassActionResults(BaseModel):
    results: list[MassActionResult] = Field(description="One per selected customer, in request order")
