"""The website registry with a fake store and clock, the website body rules, and session ownership."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from shopadmin.logic.presence import session_website
from shopadmin.logic.websites import WebsiteRegistry
from shopadmin.models.events import parse_event
from shopadmin.models.presence import PresenceState
from shopadmin.models.website import Website, WebsiteSave

from tests.support import BASE_MS, FakeClock, storefront_event


class FakeWebsites:
    def __init__(self, *ids: str):
        self.items = {i: Website(website_id=i, name=i, storefront_url="https://x.example", timezone="UTC") for i in ids}
        self.gets = 0
        self.queries = 0

    def websites(self):
        self.queries += 1
        return list(self.items.values())

    def website(self, website_id):
        self.gets += 1
        return self.items.get(website_id)

    def save_website(self, website, actor, now_ms):
        self.items[website.website_id] = website


def test_a_known_website_costs_one_read_per_cache_period_an_unknown_one_every_time():
    store, clock = FakeWebsites("base"), FakeClock()
    registry = WebsiteRegistry(store, clock, 2)
    assert registry.is_known("base") and registry.is_known("base") and store.gets == 1
    assert not registry.is_known("nowhere") and not registry.is_known("nowhere") and store.gets == 3
    clock.advance(seconds=3)
    assert registry.is_known("base") and store.gets == 4


def test_a_website_saved_elsewhere_is_known_at_once_and_listed():
    store, clock = FakeWebsites("base"), FakeClock()
    registry = WebsiteRegistry(store, clock, 2)
    assert registry.ids() == {"base"}
    store.items["fr"] = Website(website_id="fr", name="fr", storefront_url="https://fr.example", timezone="UTC")
    assert registry.is_known("fr")  # not cached as unknown: asked again
    saved = registry.save("de", WebsiteSave(name=" DE ", storefront_url="https://de.example",
                                            timezone="Europe/Berlin"), "admin-1")
    assert saved.name == "DE" and registry.is_known("de")
    assert [w.website_id for w in registry.list()] == ["base", "de", "fr"]


@pytest.mark.parametrize("field, value", [
    ("timezone", "Mars/Olympus"), ("timezone", "utc+2"), ("timezone", ""),
    ("storefront_url", "javascript:alert(1)"), ("storefront_url", "https://"), ("storefront_url", "https://a b"),
    ("name", ""), ("name", "x" * 129),
])
def test_website_body_rules_name_the_field(field, value):
    body = {"name": "Main", "storefront_url": "https://shop.example", "timezone": "UTC", field: value}
    with pytest.raises(ValidationError) as error:
        WebsiteSave(**body)
    assert [e["loc"] for e in error.value.errors()] == [(field,)]


def test_a_session_belongs_to_its_row_else_to_its_earliest_state_changing_event():
    row = PresenceState("v-1", "fr", BASE_MS, BASE_MS)
    late = parse_event(storefront_event("cart_item_added", "v-1", BASE_MS - 1000, data={"sku": "A"}))
    assert session_website(row, [late]) == "fr"
    page_view = parse_event(storefront_event("page_viewed", "v-1", BASE_MS - 5000, website_id="de"))
    first = parse_event(storefront_event("cart_item_added", "v-1", BASE_MS - 2000, website_id="fr", data={"sku": "A"}))
    assert session_website(None, [late, page_view, first]) == "fr"
    assert session_website(None, [page_view]) is None
