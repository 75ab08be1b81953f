"""Audit entries: who, when, what, and before/after of the fields that changed (never secrets)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from shopadmin.models.records import AuditRecord

# Never recorded, whatever an action passes in.
SECRET_FIELDS = frozenset({"password", "password_hash", "secret", "secret_hash", "token", "token_hash"})


class AuditTrail(Protocol):
    def audit_page(self, customer_id: str, before: str | None, limit: int) -> tuple[list[AuditRecord], str | None]: ...


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    changes: dict[str, dict[str, Any]] = {}
    for name in sorted(set(before) | set(after)):
        if name in SECRET_FIELDS:
            continue
        old, new = before.get(name), after.get(name)
        if old != new:
            changes[name] = {"before": old, "after": new}
    return changes


def audit_entry(actor: str, action: str, at_ms: int, changes: dict[str, dict[str, Any]] | None = None,
                *, about_event: str | None = None) -> AuditRecord:
    """A new entry. `about_event` (a storefront event id) makes its id derived from the event and action, so a
    retried event writes the same entry (and the same transaction) again, never a second one."""
    entry_id = uuid.uuid5(uuid.NAMESPACE_URL, f"event:{about_event}:{action}").hex if about_event else uuid.uuid4().hex
    return AuditRecord(entry_id=entry_id, at=at_ms, actor=actor, action=action, changes=changes or {})
