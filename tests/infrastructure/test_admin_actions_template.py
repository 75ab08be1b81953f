"""The admin action functions (issue 5 A) in template.yaml: who may publish on the bus, and the
storefront's redeem function holding only what it needs."""

from __future__ import annotations

import pytest

from local.template import functions, translated
from tests.infrastructure.test_template import allowed, function_role

PUBLISHERS = {"CustomerCredentialsFunction", "CustomerDeletionFunction", "CustomerMassActionsFunction"}


@pytest.fixture(scope="module")
def cfn():
    return translated()


def test_only_the_admin_action_functions_publish_and_only_on_the_bus(cfn):
    for name, spec in functions(cfn).items():
        grants = {(action, target) for action, target, _ in allowed(cfn, function_role(cfn, name))
                  if action.startswith("events:")}
        if name in PUBLISHERS:
            assert grants == {("events:putevents", "StorefrontBus")}, name
            assert spec.environment.get("EVENT_BUS_NAME") == {"Ref": "StorefrontBus"}, name
        else:
            assert not grants and "EVENT_BUS_NAME" not in spec.environment, name


def test_the_redeem_function_holds_only_what_a_redeem_needs(cfn):
    grants = set(allowed(cfn, function_role(cfn, "StorefrontLoginAsFunction")))
    assert grants == {
        ("dynamodb:getitem", "CustomersTable", ""),  # profile, online config, the token's website
        ("dynamodb:deleteitem", "CustomersTable", ""),  # the secret (conditional) and its reference
        ("dynamodb:putitem", "CustomersTable", ""),  # the customer's SESSION# reference (with the binding)
        ("dynamodb:conditioncheckitem", "CustomersTable", ""),  # the profile still exists (with the binding)
        ("dynamodb:updateitem", "CustomersTable", ""),  # the summary's counters move with the binding
        ("dynamodb:getitem", "PresenceTable", ""),
        ("dynamodb:putitem", "PresenceTable", ""),  # the versioned presence save
    }


@pytest.mark.parametrize("function", sorted(PUBLISHERS))
def test_admin_action_functions_reach_sessions_only_through_the_customer_index(cfn, function):
    on_presence = {(action, suffix) for action, target, suffix in allowed(cfn, function_role(cfn, function))
                   if target == "PresenceTable"}
    assert on_presence == {("dynamodb:getitem", ""), ("dynamodb:putitem", ""),
                           ("dynamodb:query", "/index/sessions-by-customer")}
