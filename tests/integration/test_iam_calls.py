"""Issue 11, defect 4: what each function calls on AWS is what its IAM policy allows, no more.

A representative part of the integration suite (SCENARIOS: existing tests covering every function
and route family) runs again, each test on a fresh moto stack, while a hook on botocore records
every AWS call with the function that made it (LambdaRuntime.invoke tells which). Each call is
turned into the IAM action(s) and resource it needs (TransactWriteItems → PutItem/UpdateItem/
DeleteItem/ConditionCheckItem per item; a Query on an index → the index ARN; SendMessageBatch →
sqs:SendMessage) and checked against the function's inline policies in the template as
aws-sam-translator outputs it (the same translation the infrastructure tests read). Then every
grant no scenario used must be in JUSTIFIED_EXTRAS with its reason.
"""

from __future__ import annotations

import inspect
from collections import defaultdict
from collections.abc import Callable

import botocore.client
import pytest
from shopadmin import wiring

from local.lambda_runtime import LambdaRuntime
from local.template import functions, translated
from tests.infrastructure.test_template import allowed, function_role
from tests.integration import (
    test_carts_and_unsaved_data,
    test_csv_exports,
    test_customer_commerce,
    test_customer_credentials,
    test_customer_deletion,
    test_customer_events,
    test_customers,
    test_deletion_is_final,
    test_http_handlers,
    test_ingest_handler,
    test_mass_actions,
    test_one_order,
    test_online_name_sorts,
    test_privacy_export,
    test_websites,
    test_wishlist_remove,
)
from tests.integration.admin_support import BusCapture
from tests.integration.conftest import local_stack, make_ingest
from tests.support import FakeClock

Call = tuple[str, str, str]  # (iam action lower case, logical id, resource suffix such as /index/x)

SCENARIOS: list[Callable] = [
    test_http_handlers.test_config_defaults_then_save_applies_to_next_read,
    test_http_handlers.test_list_filters_sort_limit_and_cursor,
    test_http_handlers.test_summary_counts,
    test_online_name_sorts.test_name_and_email_sorts_page_in_order_without_the_sessions_that_left,
    test_online_name_sorts.test_the_sweeper_takes_out_only_sessions_that_left_and_an_event_brings_one_back,
    test_http_handlers.test_intake_accepts_valid_events_into_the_queue_in_request_order,
    test_http_handlers.test_session_check_follows_login_logout_and_interval,
    test_customers.test_full_edit_writes_account_and_address_book_atomically,
    test_customers.test_profile_save_refreshes_now_online_rows,
    test_customers.test_address_routes_add_edit_default_and_delete,
    test_customers.test_grid_search_filter_sort_and_pages,
    test_customers.test_every_admin_write_is_audited_with_before_and_after,
    test_customer_events.test_registration_creates_a_grid_visible_account_with_its_email_claim,
    test_customer_events.test_login_and_logout_times_only_move_forward,
    test_customer_events.test_account_updated_newest_wins_and_refreshes_the_row,
    test_customer_events.test_collection_changes_apply_whatever_their_age,
    test_ingest_handler.test_registration_then_cart_shows_a_customer_row,
    test_carts_and_unsaved_data.test_login_merges_the_unexpired_guest_cart_into_the_saved_cart,
    test_carts_and_unsaved_data.test_checkout_draft_is_unsaved_data,
    test_customer_commerce.test_cart_set_change_and_remove,
    test_customer_commerce.test_idempotent_order_retry_returns_the_first_result_and_creates_one_order,
    test_customer_commerce.test_idempotent_store_credit_adjustment_applies_once,
    test_customer_commerce.test_reward_points_adjust_never_negative_and_show_on_the_profile,
    test_customer_commerce.test_newsletter_subscribe_unsubscribe_profile_and_audit,
    test_customer_commerce.test_orders_are_listed_newest_first_with_a_cursor,
    test_customer_commerce.test_a_failed_request_is_not_remembered,
    test_customer_credentials.test_redeem_starts_an_assisted_session_in_now_online,
    test_customer_credentials.test_force_sign_in_ends_every_session_of_the_customer,
    test_customer_credentials.test_force_sign_in_revokes_login_as_secrets_and_reset_tokens,
    test_customer_credentials.test_password_reset_retry_with_the_same_idempotency_key_sends_one_mail,
    test_customer_credentials.test_password_reset_is_withdrawn_when_the_mail_event_fails,
    test_customer_deletion.test_delete_removes_personal_data_everywhere_and_keeps_orders_anonymized,
    test_deletion_is_final.test_a_replayed_idempotency_key_of_a_deleted_customer_answers_404,
    test_websites.test_put_creates_then_updates_and_get_lists_every_website,
    # SPEC 9: the rows mirrored in the account's transaction, the stored consent read before an event's
    test_one_order.test_a_late_storefront_change_does_not_undo_an_admin_save,
    test_one_order.test_an_older_consent_never_undoes_a_newer_one,
    test_csv_exports.test_customers_csv_applies_the_grid_filters,
    test_csv_exports.test_online_csv_holds_the_online_rows_with_the_lists_filters,
    test_wishlist_remove.test_remove_answers_204_removes_only_that_item_and_is_audited,
    test_mass_actions.test_assign_group_mixes_existing_and_missing_ids_in_request_order,
    test_mass_actions.test_subscribe_and_unsubscribe_default_to_each_customers_own_website,
    test_mass_actions.test_delete_needs_customers_delete_and_then_deletes_each,
    test_mass_actions.test_an_idempotency_key_replays_the_first_results_and_applies_nothing_again,
    test_privacy_export.test_the_export_holds_every_stored_item_about_the_customer,
    test_privacy_export.test_an_export_too_large_for_one_response_is_a_download_link,
]

# Grants the scenarios never exercise, each with why the function needs it anyway.
JUSTIFIED_EXTRAS: dict[tuple[str, Call], str] = {
    ("IngestFunction", ("sqs:receivemessage", "EventsQueue", "")): "the SQS event source mapping polls with the role",
    ("IngestFunction", ("sqs:deletemessage", "EventsQueue", "")): "the event source mapping deletes processed messages",
    ("IngestFunction", ("sqs:getqueueattributes", "EventsQueue", "")): "the event source mapping reads the queue",
    ("IngestFunction", ("dynamodb:getitem", "PresenceTable", "")):
        "re-read of one row after a concurrent write, and the per-session fallback of a failed batch read "
        "(test_faults_ingest.py, test_faults_dynamodb.py)",
    ("CustomerCommerceFunction", ("dynamodb:getitem", "IdempotencyTable", "")):
        "Powertools Idempotency reads the record when a conditional put returns no old item",
    ("CustomerCredentialsFunction", ("dynamodb:getitem", "IdempotencyTable", "")):
        "Powertools Idempotency reads the record when a conditional put returns no old item",
    ("CustomerCredentialsFunction", ("dynamodb:deleteitem", "IdempotencyTable", "")):
        "Powertools Idempotency deletes the record of a failed action (e.g. reset mail not sent) so a retry runs",
    ("CustomerMassActionsFunction", ("dynamodb:deleteitem", "IdempotencyTable", "")):
        "Powertools Idempotency deletes the record of a failed action so a retry runs",
    ("CustomerMassActionsFunction", ("dynamodb:getitem", "IdempotencyTable", "")):
        "Powertools Idempotency reads the record when a conditional put returns no old item",
    ("CustomerMassActionsFunction", ("dynamodb:batchwriteitem", "CustomersTable", "")):
        "delete cleans a large customer's partition page by page (a scenario's customer fits one transaction)",
    ("CustomerExportFunction", ("s3:getobject", "ExportsBucket", "/exports/*")):
        "the download link is presigned with the function's credentials: S3 checks its role on every GET",
    ("CustomerMassActionsFunction", ("dynamodb:getitem", "PresenceTable", "")):
        "delete signs the customer's sessions out (the scenarios' deleted customers have none)",
    ("CustomerMassActionsFunction", ("dynamodb:putitem", "PresenceTable", "")):
        "delete signs the customer's sessions out (the scenarios' deleted customers have none)",
    ("OnlineCustomersFunction", ("dynamodb:getitem", "CustomersTable", "")):
        "the online config read, cached per container: in this one test process another function often reads it first",
    ("CustomerExportFunction", ("dynamodb:getitem", "PresenceTable", "")):
        "each session found through the (eventually consistent) index is read again consistently",
}


class Recorder:
    def __init__(self, names: dict[str, dict[str, str]]):
        self.current: str | None = None
        self.names = names  # "tables"/"queues"/"buses": physical name or url -> logical id
        self.calls: dict[str, set[Call]] = defaultdict(set)

    def record(self, service: str, operation: str, params: dict) -> None:
        if self.current is None:
            return  # the test's own set-up and checks
        for call in iam_calls(service, operation, params, self.names):
            self.calls[self.current].add(call)


def iam_calls(service: str, operation: str, params: dict, names: dict[str, dict[str, str]]) -> list[Call]:
    def table(name: str) -> str:
        return names["tables"][name.rsplit("/", 1)[-1]]

    if service == "dynamodb":
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation.lower()}", table(t), "") for t in params["RequestItems"]]
        if operation in ("TransactWriteItems", "TransactGetItems"):
            actions = {"ConditionCheck": "conditioncheckitem", "Put": "putitem", "Update": "updateitem",
                       "Delete": "deleteitem", "Get": "getitem"}
            return [(f"dynamodb:{actions[kind]}", table(spec["TableName"]), "")
                    for item in params["TransactItems"] for kind, spec in item.items()]
        suffix = f"/index/{params['IndexName']}" if params.get("IndexName") else ""
        return [(f"dynamodb:{operation.lower()}", table(params["TableName"]), suffix)]
    if service == "sqs":
        action = "sendmessage" if operation == "SendMessageBatch" else operation.lower()
        return [(f"sqs:{action}", names["queues"][params["QueueUrl"]], "")]
    if service == "secretsmanager" and operation == "GetSecretValue":
        return [("secretsmanager:getsecretvalue", names["secrets"][params["SecretId"]], "")]
    if service == "s3" and operation in ("PutObject", "GetObject"):
        prefix = str(params["Key"]).split("/", 1)[0]
        return [(f"s3:{operation.lower()}", names["buckets"][params["Bucket"]], f"/{prefix}/*")]
    if service == "events" and operation == "PutEvents":
        return [("events:putevents", names["buses"][entry.get("EventBusName", "default").rsplit("/", 1)[-1]], "")
                for entry in params["Entries"]]
    return [(f"{service}:{operation.lower()}", "?", "")]


@pytest.fixture(scope="module")
def recorded() -> dict[str, set[Call]]:
    """Run every scenario on its own fresh stack, recording the calls of each function."""
    calls: dict[str, set[Call]] = defaultdict(set)
    for scenario in SCENARIOS:
        with pytest.MonkeyPatch.context() as monkeypatch, local_stack(monkeypatch) as aws:
            names = {"tables": {name: logical for logical, name in aws["tables"].items()},
                     "queues": {q["url"]: logical for logical, q in aws["queues"].items()},
                     "buses": {name: logical for logical, name in aws["buses"].items()},
                     "secrets": {arn: logical for logical, arn in aws["secrets"].items()},
                     "buckets": {name: logical for logical, name in aws["buckets"].items()}}
            recorder = Recorder(names)
            original_call = botocore.client.BaseClient._make_api_call
            original_invoke = LambdaRuntime.invoke

            def api_call(client, operation, params, _original=original_call, _recorder=recorder):
                _recorder.record(client.meta.service_model.service_name, operation, params)
                return _original(client, operation, params)

            def invoke(runtime, logical_id, event, _original=original_invoke, _recorder=recorder):
                previous, _recorder.current = _recorder.current, logical_id
                try:
                    return _original(runtime, logical_id, event)
                finally:
                    _recorder.current = previous

            monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", api_call)
            monkeypatch.setattr(LambdaRuntime, "invoke", invoke)
            clock = FakeClock()
            wiring.use_clock(clock)
            fixtures = {"aws": aws, "clock": clock, "ingest": make_ingest(), "monkeypatch": monkeypatch,
                        "bus": BusCapture(aws["buses"]["StorefrontBus"])}
            scenario(**{name: fixtures[name] for name in inspect.signature(scenario).parameters})
            for function, made in recorder.calls.items():
                calls[function] |= made
    return calls


@pytest.fixture(scope="module")
def grants() -> dict[str, set[Call]]:
    cfn = translated()
    return {name: set(allowed(cfn, function_role(cfn, name))) for name in functions(cfn)}


def test_every_call_a_function_makes_is_allowed_by_its_policy(recorded, grants):
    denied = sorted(f"{function}: {call}" for function, made in recorded.items() for call in made
                    if call not in grants[function])
    assert not denied, "calls the function's policy does not allow (AccessDenied on AWS):\n" + "\n".join(denied)


def test_no_policy_grants_what_its_function_never_calls(recorded, grants):
    unused = sorted(f"{function}: {call}" for function, granted in grants.items() for call in granted
                    if call not in recorded.get(function, set()) and (function, call) not in JUSTIFIED_EXTRAS)
    assert not unused, "grants no scenario used (remove or justify in JUSTIFIED_EXTRAS):\n" + "\n".join(unused)


def test_the_scenarios_reach_every_function_with_a_policy(recorded, grants):
    assert {name for name, granted in grants.items() if granted} <= set(recorded)


def test_the_ingest_function_may_query_the_sessions_index_it_uses():
    """The one grant that was missing (account_updated refreshes the customer's online rows)."""
    cfn = translated()
    assert ("dynamodb:query", "PresenceTable", "/index/sessions-by-customer") in allowed(
        cfn, function_role(cfn, "IngestFunction"))
