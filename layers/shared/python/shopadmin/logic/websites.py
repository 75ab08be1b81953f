"""The website registry (SPEC 6): which websites exist, for intake, ingest, tokens and the online list.

Only `PUT /websites/{id}` registers a website; events never do. Reads go through a short cache
(like the config); a website missing from the cache is looked up once more before it is called
unknown, so a website registered a moment ago in another container is known at once.
"""

from __future__ import annotations

from typing import Protocol

from shopadmin.clock import Clock
from shopadmin.logic.cached import CachedValue
from shopadmin.models.website import Website, WebsiteSave

UNKNOWN_WEBSITE = "website_id: unknown website"


class WebsiteStorePort(Protocol):
    def websites(self) -> list[Website]: ...
    def website(self, website_id: str) -> Website | None: ...
    def save_website(self, website: Website, actor: str, now_ms: int) -> None: ...


class CustomerWebsitePort(Protocol):
    def customer_website(self, customer_id: str) -> str | None: ...


class WebsiteRegistry:
    def __init__(self, store: WebsiteStorePort, clock: Clock, cache_seconds: float):
        self._store, self._clock, self._ttl_ms = store, clock, int(cache_seconds * 1000)
        self._ids: CachedValue[frozenset[str]] = CachedValue(
            lambda: frozenset(w.website_id for w in store.websites()), clock, cache_seconds)
        self._seen: dict[str, int] = {}  # website id -> when a read last found it (ms)

    def ids(self) -> frozenset[str]:
        """Every registered website id (one Query, cached a few seconds): the online list reads their shards."""
        return self._ids.get()

    def is_known(self, website_id: str) -> bool:
        """One GetItem per website and cache period; an unknown website is asked again every time."""
        now = self._clock()
        seen = self._seen.get(website_id)
        if seen is not None and 0 <= now - seen < self._ttl_ms:
            return True
        if self._store.website(website_id) is None:
            self._seen.pop(website_id, None)
            return False
        self._seen[website_id] = now
        return True

    def list(self) -> list[Website]:
        return sorted(self._store.websites(), key=lambda w: w.website_id)

    def save(self, website_id: str, body: WebsiteSave, actor: str) -> Website:
        website = Website(website_id=website_id, **body.model_dump())
        self._store.save_website(website, actor, self._clock())
        self._seen[website_id] = self._clock()
        return website
