"""Online Customers Options (Stores > Configuration > Customers), SPEC 2.3."""

from __future__ import annotations

from typing import Annotated, Any, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

DEFAULT_ONLINE_MINUTES_INTERVAL = 15
DEFAULT_CUSTOMER_DATA_LIFETIME = 60


def _blank_is_none(value: Any) -> Any:
    """The admin form sends "" for an emptied field: blank means "use the default"."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


class OnlineCustomersConfig(BaseModel):
    """The saved configuration, always complete."""

    online_minutes_interval: int = Field(
        default=DEFAULT_ONLINE_MINUTES_INTERVAL, ge=1, le=1440,
        description="Minutes a session stays visible as online (default 15)",
    )
    customer_data_lifetime: int = Field(
        default=DEFAULT_CUSTOMER_DATA_LIFETIME, ge=1, le=10080,
        description="Minutes before unsaved data entered by a visitor expires (default 60)",
    )


class OnlineCustomersConfigUpdate(BaseModel):
    """PUT body: blank or null falls back to the default."""

    model_config = ConfigDict(extra="forbid")

    online_minutes_interval: Annotated[
        Optional[Annotated[int, Field(ge=1, le=1440)]], BeforeValidator(_blank_is_none),
        Field(description="1-1440 minutes; blank or null for the default (15)"),
    ] = None
    customer_data_lifetime: Annotated[
        Optional[Annotated[int, Field(ge=1, le=10080)]], BeforeValidator(_blank_is_none),
        Field(description="1-10080 minutes; blank or null for the default (60)"),
    ] = None

    def resolved(self) -> OnlineCustomersConfig:
        return OnlineCustomersConfig(
            online_minutes_interval=self.online_minutes_interval or DEFAULT_ONLINE_MINUTES_INTERVAL,
            customer_data_lifetime=self.customer_data_lifetime or DEFAULT_CUSTOMER_DATA_LIFETIME,
        )
