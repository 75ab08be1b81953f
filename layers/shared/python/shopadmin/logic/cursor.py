"""Opaque pagination cursors, bound to the query that produced them."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from shopadmin.errors import InvalidRequest


def _fingerprint(query: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()[:16]


def encode_cursor(query: dict[str, Any], position: Any) -> str:
    raw = json.dumps({"q": _fingerprint(query), "p": position}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, query: dict[str, Any]) -> Any:
    """The position stored in the cursor, or None for the first page; 422 if it is foreign or broken."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        fingerprint, position = payload["q"], payload["p"]
    except (ValueError, KeyError, TypeError):
        raise InvalidRequest("cursor is not valid",
                             [{"field": "query.cursor", "reason": "not a cursor of this API"}]) from None
    if fingerprint != _fingerprint(query):
        raise InvalidRequest("cursor belongs to another query",
                             [{"field": "query.cursor",
                               "reason": "filters or sort changed since this cursor was issued"}])
    return position
