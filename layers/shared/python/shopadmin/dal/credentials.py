"""Login-as secrets, password-reset tokens and the reset rate limit in the customers table.

Key layout (no secret is ever stored, only its SHA-256 hash):
- `LOGINAS#<hash>` / `SECRET`   the login-as secret: customer, website, admin, valid_until (ms), TTL
- `RESET#<hash>` / `TOKEN`      the password-reset token: customer, admin, valid_until (ms), TTL
- `CUSTOMER#<id>` / `SECRET#<kind>#<hash>`  reference from the customer to each of them, so Force
  Sign-In and Delete Customer find and revoke them with one Query
- `CUSTOMER#<id>` / `RATE#password-reset`   `last_at` (ms) of the last accepted reset request

Redeeming is one conditional DeleteItem (exists, not expired, right website) returning the old
item: of two concurrent redeems exactly one gets it, the other finds nothing.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DeleteError, DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from shopadmin.dal.account_activity import touch_alone
from shopadmin.dal.customer_accounts import _audit_item, append_audit_if_customer
from shopadmin.dal.dynamo_errors import batch_writer, transact_write
from shopadmin.dal.keys import PASSWORD_RESET_RATE_SK, PROFILE_SK, REF_PREFIX, customer_pk, ref_sk, secret_key
from shopadmin.dal.tables import (
    CredentialRef,
    CustomersTableItem,
    LoginAsSecretItem,
    PasswordResetItem,
    ProfileItem,
    RateLimitItem,
    failed_conditions,
)
from shopadmin.errors import ChangeConflict, RateLimited
from shopadmin.models.credentials import CustomerFacts, IssuedSecret
from shopadmin.models.presence import CustomerSnapshot
from shopadmin.models.records import AuditRecord
from shopadmin.observability import traced

LOGIN_AS = "login-as"
PASSWORD_RESET = "password-reset"
_MODELS: dict[str, type[LoginAsSecretItem] | type[PasswordResetItem]] = {
    LOGIN_AS: LoginAsSecretItem, PASSWORD_RESET: PasswordResetItem}


def _ttl(valid_until_ms: int) -> int:
    return valid_until_ms // 1000 + 1


@traced
class CredentialStore:
    # ------------------------------------------------------------ the customer
    def customer(self, customer_id: str) -> CustomerFacts | None:
        try:
            item = ProfileItem.get(customer_pk(customer_id), PROFILE_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return CustomerFacts(
            customer_id=customer_id, website_id=item.website_id or "",
            allow_remote_assistance=bool(item.allow_remote_assistance),
            snapshot=CustomerSnapshot(item.first_name, item.last_name, item.email, item.company), email=item.email)

    # ------------------------------------------------------------ issue
    def issue_login_as(self, issued: IssuedSecret, audit: AuditRecord) -> None:
        """Secret, reference and audit entry in one transaction, while the customer still consents.

        Raises ChangeConflict when the profile is gone or no longer allows remote assistance.
        """
        try:
            with transact_write("login_as.issue") as transaction:
                transaction.condition_check(ProfileItem, customer_pk(issued.customer_id), PROFILE_SK,
                                            condition=ProfileItem.allow_remote_assistance == True)  # noqa: E712 - a PynamoDB condition
                self._add_secret(transaction, issued)
                transaction.save(_audit_item(issued.customer_id, audit))
        except TransactWriteError as error:
            if failed_conditions(error):
                raise ChangeConflict(issued.customer_id) from None
            raise

    def issue_password_reset(self, issued: IssuedSecret, audit: AuditRecord, allowed_if_last_before: int) -> None:
        """Token, reference, rate item and audit entry in one transaction.

        The rate item is written only if its `last_at` is older than `allowed_if_last_before`
        (or absent): RateLimited(last_at) otherwise. ChangeConflict when the customer is gone.
        """
        rate = RateLimitItem(customer_pk(issued.customer_id), PASSWORD_RESET_RATE_SK)
        try:
            with transact_write("password_reset.issue") as transaction:
                transaction.condition_check(ProfileItem, customer_pk(issued.customer_id), PROFILE_SK,
                                            condition=ProfileItem.pk.exists())
                transaction.update(
                    rate, actions=[RateLimitItem.last_at.set(issued.created_at), RateLimitItem.kind.set(RateLimitItem)],
                    condition=RateLimitItem.last_at.does_not_exist() | (RateLimitItem.last_at < allowed_if_last_before),
                    return_values="ALL_OLD")
                self._add_secret(transaction, issued)
                transaction.save(_audit_item(issued.customer_id, audit))
        except TransactWriteError as error:
            for reason in getattr(error, "cancellation_reasons", None) or []:
                old = (reason.raw_item or {}) if reason is not None else {}
                if reason is not None and reason.code == "ConditionalCheckFailed" and \
                        old.get("sk", {}).get("S") == PASSWORD_RESET_RATE_SK:
                    raise RateLimited(int(old["last_at"]["N"]) if "last_at" in old else None) from None
            if failed_conditions(error):
                raise ChangeConflict(issued.customer_id) from None
            raise

    def withdraw_password_reset(self, issued: IssuedSecret, audit: AuditRecord) -> None:
        """Undo an issue whose mail event could not be sent: token, reference, audit entry, rate slot."""
        key_pk, key_sk = secret_key(PASSWORD_RESET, issued.secret_hash)
        audit_item = _audit_item(issued.customer_id, audit)
        with transact_write("password_reset.withdraw") as transaction:
            transaction.delete(PasswordResetItem(key_pk, key_sk))
            transaction.delete(CredentialRef(customer_pk(issued.customer_id),
                                             ref_sk(PASSWORD_RESET, issued.secret_hash)))
            transaction.delete(type(audit_item)(audit_item.pk, audit_item.sk))
            transaction.delete(RateLimitItem(customer_pk(issued.customer_id), PASSWORD_RESET_RATE_SK),
                               condition=RateLimitItem.last_at == issued.created_at)

    def _add_secret(self, transaction: TransactWrite, issued: IssuedSecret) -> None:
        key_pk, key_sk = secret_key(issued.kind, issued.secret_hash)
        common: dict[str, Any] = {
            "customer_id": issued.customer_id, "issued_by": issued.issued_by, "created_at": issued.created_at,
            "valid_until": issued.valid_until, "expires_at": _ttl(issued.valid_until)}
        item: LoginAsSecretItem | PasswordResetItem
        if issued.kind == LOGIN_AS:
            item = LoginAsSecretItem(key_pk, key_sk, website_id=issued.website_id, **common)
        else:
            item = PasswordResetItem(key_pk, key_sk, **common)
        transaction.save(item, condition=CustomersTableItem.pk.does_not_exist())
        transaction.save(CredentialRef(customer_pk(issued.customer_id), ref_sk(issued.kind, issued.secret_hash),
                                       ref_pk=key_pk, ref_sk=key_sk, valid_until=issued.valid_until,
                                       expires_at=_ttl(issued.valid_until)))

    # ------------------------------------------------------------ redeem (single use)
    def consume(self, kind: str, secret_hash: str, now_ms: int, website_id: str | None = None) -> IssuedSecret | None:
        """Delete the secret if it exists, is unexpired (and, for login-as, belongs to `website_id`
        when given); returns what it held, or None — unknown, expired, used and wrong website alike."""
        key_pk, key_sk = secret_key(kind, secret_hash)
        model = _MODELS[kind]
        condition = model.pk.exists() & (model.valid_until > now_ms)
        if website_id is not None and kind == LOGIN_AS:
            condition &= LoginAsSecretItem.website_id == website_id
        try:
            response = model._get_connection().delete_item(key_pk, range_key=key_sk, condition=condition,
                                                           return_values="ALL_OLD")
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        if "Attributes" not in response:
            return None  # nothing was deleted (the condition makes this impossible on DynamoDB; moto races)
        item = model.from_raw_data(response["Attributes"])
        CredentialRef(customer_pk(item.customer_id), ref_sk(kind, secret_hash)).delete()  # TTL would drop it too
        return IssuedSecret(kind=kind, secret_hash=secret_hash, customer_id=item.customer_id,
                            website_id=getattr(item, "website_id", None) or "", issued_by=item.issued_by,
                            created_at=int(item.created_at), valid_until=int(item.valid_until))

    # ------------------------------------------------------------ revoke
    def revoke_all(self, customer_id: str, now_ms: int) -> int:
        """Delete every login-as secret and reset token of the customer; returns how many were still valid."""
        refs = list(CredentialRef.query(customer_pk(customer_id), CredentialRef.sk.startswith(REF_PREFIX),
                                        consistent_read=True))
        with batch_writer(CustomersTableItem) as batch:
            for ref in refs:
                batch.delete(CustomersTableItem(ref.pk, ref.sk))  # a batch delete sends the keys only
                batch.delete(CustomersTableItem(ref.ref_pk, ref.ref_sk))
        return sum(1 for ref in refs if int(ref.valid_until) > now_ms)

    def append_audit(self, customer_id: str, audit: AuditRecord) -> None:
        append_audit_if_customer(customer_id, audit)

    def touch_activity(self, customer_id: str, field_name: str, at_ms: int) -> bool:
        """last_login_at / last_logout_at moved forward (dal/account_activity.py); CustomerGone if deleted."""
        return touch_alone(customer_id, field_name, at_ms)
