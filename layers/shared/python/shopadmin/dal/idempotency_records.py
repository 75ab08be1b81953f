"""Powertools idempotency records that Delete Customer can erase (SPEC 6, Deletion is final).

A record (`Idempotency-Key` request and its response) is about one customer, but the IdempotencyTable
is keyed by a hash only. So:
- before the action runs, `claim_for_customer` writes `CUSTOMER#<id>` / `IDEMPOTENCY#<record id>` in
  one transaction with a check that the customer's profile exists (a deleted customer gets
  CustomerGone: the route answers 404, and a replayed key of a deleted customer does too);
- Delete Customer reads those references with the customer's partition and deletes the records;
- the success update is conditional on the record still existing, so a request that raced with the
  delete cannot write its response back after the delete removed the record.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from pynamodb.exceptions import TransactWriteError

from shopadmin.dal.dynamo_errors import transact_write
from shopadmin.dal.keys import PROFILE_SK, customer_pk
from shopadmin.dal.tables import IdempotencyRef, ProfileItem, failed_checks
from shopadmin.errors import CustomerGone

REF_PREFIX = "IDEMPOTENCY#"


class ErasableIdempotencyLayer(DynamoDBPersistenceLayer):
    def record_id(self, data: dict[str, Any]) -> str | None:
        """The id Powertools gives the record of `data` (the store is configured by then)."""
        return self._get_hashed_idempotency_key(data)

    def claim_for_customer(self, customer_id: str, data: dict[str, Any], expires_at: int) -> None:
        record_id = self.record_id(data)
        if record_id is None:
            return
        ref = IdempotencyRef(customer_pk(customer_id), REF_PREFIX + record_id, record_id=record_id,
                             expires_at=expires_at)
        try:
            with transact_write("idempotency.claim") as transaction:
                transaction.condition_check(ProfileItem, customer_pk(customer_id), PROFILE_SK,
                                            condition=ProfileItem.pk.exists())
                transaction.save(ref)
        except TransactWriteError as error:
            if failed_checks(error, 1):
                raise CustomerGone(customer_id) from None
            raise

    def _update_record(self, data_record: DataRecord) -> None:
        """As Powertools does it, plus `attribute_exists(id)`: never recreate an erased record."""
        update_expression = "SET #response_data = :response_data, #expiry = :expiry, #status = :status"
        values: dict[str, Any] = {
            ":expiry": {"N": str(data_record.expiry_timestamp)},
            ":response_data": {"S": data_record.response_data},
            ":status": {"S": data_record.status},
        }
        names = {"#id": self.key_attr, "#expiry": self.expiry_attr, "#response_data": self.data_attr,
                 "#status": self.status_attr}
        if self.payload_validation_enabled:
            update_expression += ", #validation_key = :validation_key"
            values[":validation_key"] = {"S": data_record.payload_hash}
            names["#validation_key"] = self.validation_key_attr
        self.client.update_item(TableName=self.table_name, Key=self._get_key(data_record.idempotency_key),
                                UpdateExpression=update_expression, ExpressionAttributeNames=names,
                                ExpressionAttributeValues=values, ConditionExpression="attribute_exists(#id)")
