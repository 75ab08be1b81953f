"""Opaque pagination cursors: encrypted and signed by the API, bound to the query that produced them (SPEC 6).

A cursor is `<payload>.<tag>`, both base64url. The payload is the position to resume after and
a fingerprint of the query (list name + filters + sort), encrypted: a position can hold an email
or a name (the grid sorted by email resumes after one), and cursors travel in URLs, logs and
browser history. Encryption is a keystream of HMAC-SHA256 blocks over a synthetic IV (the
HMAC of the plaintext), so the same position always gives the same cursor; the tag is
HMAC-SHA256 over the encrypted payload. Both keys derive from one key only the stack holds
(wiring.cursor_key). So a cursor the API did not issue
(changed in any byte, hand-made, unsigned, or issued for another list or other filters) is
refused with 422 naming `cursor` before its position reaches any query, and a cursor the API
issued always decodes to a position the list code wrote itself.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from typing import Any

from shopadmin.errors import InvalidRequest

TAG_BYTES = 16  # 128 bits of HMAC-SHA256: forging one is out of reach
IV_BYTES = 16
_FIELD = "query.cursor"


def _fingerprint(query: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(query, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))


def _derived(key: bytes, purpose: bytes) -> bytes:
    return hmac.new(key, purpose, hashlib.sha256).digest()


def _tag(key: bytes, payload: str) -> bytes:
    return hmac.new(_derived(key, b"cursor-mac"), payload.encode("ascii"), hashlib.sha256).digest()[:TAG_BYTES]


def _keystream_xor(key: bytes, iv: bytes, data: bytes) -> bytes:
    encrypt = _derived(key, b"cursor-encrypt")
    stream = b"".join(hmac.new(encrypt, iv + counter.to_bytes(4, "big"), hashlib.sha256).digest()
                      for counter in range(len(data) // 32 + 1))
    return bytes(a ^ b for a, b in zip(data, stream, strict=False))


def _seal(key: bytes, plain: bytes) -> bytes:
    iv = hmac.new(_derived(key, b"cursor-iv"), plain, hashlib.sha256).digest()[:IV_BYTES]
    return iv + _keystream_xor(key, iv, plain)


def _open(key: bytes, sealed: bytes) -> bytes:
    iv, body = sealed[:IV_BYTES], sealed[IV_BYTES:]
    return _keystream_xor(key, iv, body)


def encode_cursor(query: dict[str, Any], position: Any, key: bytes) -> str:
    plain = json.dumps({"q": _fingerprint(query), "p": position}, separators=(",", ":")).encode()
    payload = _b64(_seal(key, plain))
    return f"{payload}.{_b64(_tag(key, payload))}"


def _not_issued() -> InvalidRequest:
    return InvalidRequest("cursor is not valid", [{"field": _FIELD, "reason": "not a cursor this API issued",
                                                    "code": "invalid_format"}])


def decode_cursor(cursor: str | None, query: dict[str, Any], key: bytes) -> Any:
    """The position stored in the cursor, or None for the first page; 422 if foreign, changed or broken."""
    if not cursor:
        return None
    payload, dot, tag = cursor.partition(".")
    try:
        expected = _b64(_tag(key, payload))
    except UnicodeError:  # not ASCII: not a cursor we wrote
        raise _not_issued() from None
    # compared as text, not as decoded bytes: base64 has several spellings of the same bytes
    if not dot or not hmac.compare_digest(tag.encode("utf-8", "replace"), expected.encode()):
        raise _not_issued()
    try:
        content = json.loads(_open(key, _unb64(payload)))
        fingerprint, position = content["q"], content["p"]
    except (ValueError, KeyError, TypeError, binascii.Error):  # not for a cursor we signed; refused all the same
        raise _not_issued() from None
    if fingerprint != _fingerprint(query):
        raise InvalidRequest("cursor belongs to another query",
                             [{"field": _FIELD, "reason": "filters or sort changed since this cursor was issued",
                               "code": "invalid_format"}])
    return position
