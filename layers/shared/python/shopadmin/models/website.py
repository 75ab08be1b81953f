"""The website registry (SPEC 6): a website exists only once an admin registered it."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from shopadmin.models.base import Model

# The characters the event contract allows in website_id (models/events.py).
WEBSITE_ID_PATTERN = r"^[A-Za-z0-9_-]+$"
WebsiteIdText = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=WEBSITE_ID_PATTERN)]
MAX_WEBSITES = 1000
# Files of the system's zoneinfo folder that are not zones of the IANA database.
NOT_ZONES = frozenset({"localtime", "posixrules", "Factory", "leapseconds", "tzdata.zi"})


class WebsiteSave(Model):
    """PUT /websites/{website_id} body: creates or replaces the website's record."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128, description="Shown to staff, e.g. \"Main Website\"")
    storefront_url: str = Field(min_length=1, max_length=2048,
                                description="The storefront's address, http:// or https://")
    timezone: str = Field(min_length=1, max_length=64, description="IANA time zone, e.g. Europe/Paris")

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\ufffe\uffff" for c in value):
            raise ValueError("must not hold control characters")
        return value.strip()

    @field_validator("storefront_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value.strip()):
            raise ValueError("must be an http:// or https:// address, e.g. https://shop.example")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        if value not in _zones() or value in NOT_ZONES:
            raise ValueError("must be an IANA time zone name, e.g. Europe/Paris or UTC")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone name, e.g. Europe/Paris or UTC") from None
        return value


def _zones() -> set[str]:
    # available_timezones() walks tzdata once; keep the answer for the process
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


_ZONES: set[str] = set()


class Website(Model):
    website_id: str
    name: str
    storefront_url: str
    timezone: str


class WebsiteList(Model):
    items: list[Website]
