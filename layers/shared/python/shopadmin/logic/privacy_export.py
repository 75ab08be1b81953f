"""Privacy export (SPEC 7, GDPR right of access): everything the shop holds about one customer.

The document is built from the stored items themselves, grouped by what they are, so an
export never misses data because a screen does not show it: the account and addresses, orders,
cart, wish list, reviews, back-office tabs, newsletter, balances with their ledgers, activity,
audit entries about the customer, the email's uniqueness claim, the customer's sessions and
the unsaved data (guest cart, checkout draft) of those sessions. Credentials are listed (what
exists and until when) but their secret-derived keys are withheld.

It is the response body itself; only when it would not fit one Lambda response does it go to
the exports bucket, answered as a short-lived download link. The export is audited
(`customer.exported`) before the audit partition is read, so the export shows it too.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from typing import Any, Protocol

from shopadmin.clock import to_iso
from shopadmin.errors import NotFound
from shopadmin.logic.audit import audit_entry
from shopadmin.models.records import AuditRecord

StoredItem = dict[str, Any]
# Lambda answers at most 6 MB (API Gateway too); JSON escaping and headers need the rest.
MAX_BODY_BYTES = 5_000_000
URL_SECONDS = 900
CREDENTIAL_KINDS = {"credential_ref", "login_as_secret", "password_reset"}
WITHHELD = "[withheld: derived from a secret]"


class ExportReaderPort(Protocol):
    def customer_items(self, customer_id: str) -> list[StoredItem]: ...
    def audit_items(self, customer_id: str) -> list[StoredItem]: ...
    def email_claim(self, website_id: str, email: str) -> list[StoredItem]: ...
    def sessions(self, customer_id: str) -> list[StoredItem]: ...
    def credential_items(self, references: list[tuple[str, str]]) -> list[StoredItem]: ...
    def guest_items(self, session_ids: list[str]) -> list[StoredItem]: ...


class AuditPort(Protocol):
    def append_audit(self, customer_id: str, audit: AuditRecord) -> None: ...


class ExportFilesPort(Protocol):
    def put(self, key: str, body: bytes) -> str: ...


def _without_secrets(item: StoredItem) -> StoredItem:
    """A credential item with the keys that are hashes of the secret withheld."""
    if item.get("kind") not in CREDENTIAL_KINDS:
        return item
    shown = dict(item)
    if item.get("kind") == "credential_ref":
        shown.update(sk=WITHHELD, ref_pk=WITHHELD, ref_sk=WITHHELD)
    else:
        shown.update(pk=WITHHELD)
    return shown


def _by_kind(items: list[StoredItem]) -> dict[str, list[StoredItem]]:
    grouped: dict[str, list[StoredItem]] = defaultdict(list)
    for item in items:
        grouped[str(item.get("kind") or "other")].append(_without_secrets(item))
    return dict(sorted(grouped.items()))


def build_export(customer_id: str, reader: ExportReaderPort, audit: AuditPort, actor: str,
                 now_ms: int) -> dict[str, Any]:
    """The export document. Raises NotFound when the customer does not exist (or was deleted)."""
    items = reader.customer_items(customer_id)
    profile = next((item for item in items if item.get("kind") == "profile"), None)
    if profile is None:
        raise NotFound("No such customer")
    audit.append_audit(customer_id, audit_entry(actor, "customer.exported", now_ms, {}))
    references = [(str(i["ref_pk"]), str(i["ref_sk"])) for i in items if i.get("kind") == "credential_ref"]
    sessions = reader.sessions(customer_id)
    # every session the customer used: bound now (presence), or bound once (its SESSION# reference,
    # the same list Delete Customer erases the guest data of)
    used = dict.fromkeys([str(s["session_id"]) for s in sessions]
                         + [str(i["session_id"]) for i in items if i.get("kind") == "session_ref"])
    website, email = profile.get("website_id"), profile.get("email")
    return {
        "customer_id": customer_id,
        "exported_at": to_iso(now_ms),
        "exported_by": actor,
        "customer": _by_kind(items),
        "audit": reader.audit_items(customer_id),
        "email_claim": reader.email_claim(str(website), str(email)) if website and email else [],
        "credentials": [_without_secrets(item) for item in reader.credential_items(references)],
        "sessions": sessions,
        "unsaved_data": reader.guest_items(list(used)),
    }


def export_customer(customer_id: str, reader: ExportReaderPort, audit: AuditPort, files: ExportFilesPort,
                    actor: str, now_ms: int, max_body_bytes: int | None = None) -> dict[str, Any]:
    """The document, or `{"download_url", "expires_at"}` when it is larger than one response may be
    (`max_body_bytes`, default MAX_BODY_BYTES)."""
    document = build_export(customer_id, reader, audit, actor, now_ms)
    body = json.dumps(document, ensure_ascii=False, sort_keys=True).encode()
    if len(body) <= (MAX_BODY_BYTES if max_body_bytes is None else max_body_bytes):
        return document
    url = files.put(f"exports/{customer_id}/{now_ms}-{uuid.uuid4().hex}.json", body)
    return {"download_url": url, "expires_at": to_iso(now_ms + URL_SECONDS * 1000)}
