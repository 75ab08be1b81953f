"""Reads for the privacy export: every stored item that is about one customer, as plain values.

Read by key only, never a table-wide read: the customer's partition, its audit partition, its email claim,
its sessions (through the sessions-by-customer index, each row then read consistently) and
the unsaved data (guest cart, checkout draft) of those sessions. Items are returned whole, as
stored, so nothing held can be missing from an export because a view left it out.
Large exports go to the exports bucket and are handed out as a short-lived presigned URL.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import boto3
from botocore.config import Config

from shopadmin.dal.keys import CLAIM_SK, audit_pk, customer_pk, email_claim_pk, guest_pk
from shopadmin.dal.tables import CustomersTableItem, EmailClaim, PresenceItem

StoredItem = dict[str, Any]
URL_SECONDS = 900  # a download link lives 15 minutes; the object itself expires with the bucket's rule


def _plain(value: Any) -> Any:
    """DynamoDB values as JSON values: numbers as int/float, sets as sorted lists, bytes as base64."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _item(model: Any) -> StoredItem:
    return {k: _plain(v) for k, v in model.to_simple_dict().items()}


class PrivacyExportReader:
    def customer_items(self, customer_id: str) -> list[StoredItem]:
        """Every item of the customer's partition (profile, addresses, orders, cart, balances, tabs...)."""
        return [_item(item) for item in CustomersTableItem.query(customer_pk(customer_id), consistent_read=True)]

    def audit_items(self, customer_id: str) -> list[StoredItem]:
        return [_item(item) for item in CustomersTableItem.query(audit_pk(customer_id), consistent_read=True)]

    def email_claim(self, website_id: str, email: str) -> list[StoredItem]:
        """The uniqueness claim of the customer's email on its website (holds the email and the id)."""
        try:
            return [_item(EmailClaim.get(email_claim_pk(website_id, email), CLAIM_SK, consistent_read=True))]
        except EmailClaim.DoesNotExist:
            return []

    def sessions(self, customer_id: str) -> list[StoredItem]:
        """The customer's presence rows: found through the index, each read again consistently."""
        found = []
        for hit in PresenceItem.sessions_by_customer.query(customer_id, attributes_to_get=["session_id"]):
            try:
                row = PresenceItem.get(hit.session_id, consistent_read=True)
            except PresenceItem.DoesNotExist:
                continue
            if row.customer_id == customer_id:
                found.append(_item(row))
        return found

    def credential_items(self, references: list[tuple[str, str]]) -> list[StoredItem]:
        """The outstanding login-as secrets / password-reset tokens (pk, sk) the customer's refs point to."""
        items = []
        for pk, sk in references:
            try:
                items.append(_item(CustomersTableItem.get(pk, sk, consistent_read=True)))
            except CustomersTableItem.DoesNotExist:
                continue
        return items

    def guest_items(self, session_ids: list[str]) -> list[StoredItem]:
        """Unsaved data (guest cart lines, checkout drafts) of the customer's sessions."""
        items: list[StoredItem] = []
        for session_id in session_ids:
            items.extend(_item(item) for item in CustomersTableItem.query(guest_pk(session_id),
                                                                          consistent_read=True))
        return items


class ExportFiles:
    """The exports bucket: one object per export, read back only through a presigned URL."""

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket
        # SigV4 links (X-Amz-* parameters): the only signature every region accepts
        self.s3 = boto3.client("s3", config=Config(signature_version="s3v4"))

    def put(self, key: str, body: bytes) -> str:
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json",
                           ServerSideEncryption="AES256")
        return str(self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": key},
                                                  ExpiresIn=URL_SECONDS))
