"""Online Customers Options (Stores > Configuration > Customers), SPEC 2.3."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StrictInt, StringConstraints

from shopadmin.models.base import Model

DEFAULT_ONLINE_MINUTES_INTERVAL = 15
DEFAULT_CUSTOMER_DATA_LIFETIME = 60
MAX_ONLINE_MINUTES_INTERVAL = 1440  # also how long the summary's counters are kept


# The admin form sends "" for an emptied field: blank means "use the default".
Blank = Annotated[str, StringConstraints(pattern=r"^\s*$", max_length=16)]


class OnlineCustomersConfig(Model):
    """The saved configuration, always complete."""

    online_minutes_interval: int = Field(
        default=DEFAULT_ONLINE_MINUTES_INTERVAL, ge=1, le=MAX_ONLINE_MINUTES_INTERVAL,
        description="Minutes a session stays visible as online (default 15)",
    )
    customer_data_lifetime: int = Field(
        default=DEFAULT_CUSTOMER_DATA_LIFETIME, ge=1, le=10080,
        description="Minutes before unsaved data entered by a visitor expires (default 60)",
    )


class OnlineCustomersConfigUpdate(Model):
    """PUT body: both fields required (SPEC 7: an omitted one would silently reset it); blank or
    null falls back to the default."""

    model_config = ConfigDict(extra="forbid")

    online_minutes_interval: Annotated[StrictInt, Field(ge=1, le=MAX_ONLINE_MINUTES_INTERVAL)] | Blank | None = Field(
        description="Required: 1-1440 minutes; blank or null for the default (15)", examples=[15])
    customer_data_lifetime: Annotated[StrictInt, Field(ge=1, le=10080)] | Blank | None = Field(
        description="Required: 1-10080 minutes; blank or null for the default (60)", examples=[60])

    def resolved(self) -> OnlineCustomersConfig:
        def value(given: int | str | None, default: int) -> int:
            return given if isinstance(given, int) else default  # None or blank: the default

        return OnlineCustomersConfig(
            online_minutes_interval=value(self.online_minutes_interval, DEFAULT_ONLINE_MINUTES_INTERVAL),
            customer_data_lifetime=value(self.customer_data_lifetime, DEFAULT_CUSTOMER_DATA_LIFETIME),
        )
