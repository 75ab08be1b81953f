"""Characters every string from an admin route or an event may hold (SPEC 10 "Characters").

Refused everywhere: C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F), U+FFFE, U+FFFF
and lone surrogates (which no UTF-8 store or SQS message can carry). Tab and newline are allowed
only in multi-line fields: a string under one of MULTI_LINE_FIELDS (street lines, reason,
comment, review text). Keys are checked like values.
"""

from __future__ import annotations

import re
from typing import Any

MULTI_LINE_FIELDS = frozenset({"street", "reason", "comment", "text"})

_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_REFUSED_IN_MULTI_LINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def refused_character(value: str, multi_line: bool = False) -> str | None:
    """The reason `value` is refused (naming the first refused character), or None."""
    found = (_REFUSED_IN_MULTI_LINE if multi_line else _REFUSED).search(value)
    if found is None:
        return None
    where = "" if multi_line else "; tab and newline only in street, reason, comment and text"
    return f"holds a character that is not allowed (U+{ord(found.group()):04X}: control characters, " \
           f"U+FFFE, U+FFFF and lone surrogates are refused{where})"


def first_refused(raw: Any, where: str = "") -> tuple[str, str] | None:
    """(location, reason) of the first string in a JSON value (keys included) holding a refused character.

    Locations are dotted paths from `where`, e.g. "addresses.0.street.1"; a string is multi-line
    when the nearest key above it is one of MULTI_LINE_FIELDS.
    """
    pending: list[tuple[str, Any, bool]] = [(where, raw, where.rsplit(".", 1)[-1] in MULTI_LINE_FIELDS)]
    while pending:
        location, value, multi_line = pending.pop()
        if isinstance(value, str):
            reason = refused_character(value, multi_line)
            if reason:
                return location or "body", reason
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                pending.append((f"{location}.{key}" if location else str(key), item, str(key) in MULTI_LINE_FIELDS))
                pending.append((location, str(key), False))  # the key is checked before what it holds
        elif isinstance(value, list):
            pending.extend((f"{location}.{index}" if location else str(index), item, multi_line)
                           for index, item in reversed(list(enumerate(value))))
    return None
