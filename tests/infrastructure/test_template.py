"""template.yaml as CloudFormation receives it (after the SAM transform), checked rule by rule.

Every test reads `local.template.translated()` (or runs cfn-lint on template.yaml) and fails when
the rule it names breaks: lint, route scopes against SPEC section 4, least-privilege IAM, the
SQS/EventBridge wiring of the ingest path, table settings, the Lambda runtime.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from local.template import (
    LOCAL_PARAMETERS,
    ROOT,
    TEMPLATE,
    functions,
    jwt_authorizers,
    resources_of_type,
    routes,
    translated,
)

# ---------------------------------------------------------------- SPEC section 4 as data
# (method, path) -> the one scope the JWT must carry; None = public (no authorizer).
# Path parameters are compared by position only ("{id}" == "{customer_id}").
SPEC_ROUTES: dict[tuple[str, str], str | None] = {
    ("GET", "/online-customers"): "online:read",
    ("GET", "/online-customers/summary"): "online:read",
    ("GET", "/config/online-customers"): "config:read",
    ("PUT", "/config/online-customers"): "config:write",
    ("GET", "/websites"): "config:read",  # SPEC 6
    ("PUT", "/websites/{website_id}"): "config:write",
    ("GET", "/customers"): "customers:read",
    ("POST", "/customers"): "customers:write",
    ("GET", "/customers/{id}"): "customers:read",
    ("PATCH", "/customers/{id}"): "customers:write",
    ("PUT", "/customers/{id}"): "customers:write",
    ("DELETE", "/customers/{id}"): "customers:delete",
    ("GET", "/customers/{id}/addresses"): "customers:read",
    ("POST", "/customers/{id}/addresses"): "customers:write",
    ("PUT", "/customers/{id}/addresses/{address_id}"): "customers:write",
    ("DELETE", "/customers/{id}/addresses/{address_id}"): "customers:write",
    ("GET", "/customers/{id}/cart"): "customers:read",
    ("PUT", "/customers/{id}/cart/items/{sku}"): "customers:write",
    ("DELETE", "/customers/{id}/cart/items/{sku}"): "customers:write",
    ("DELETE", "/customers/{id}/wishlist/items/{sku}"): "customers:write",  # SPEC 7
    ("GET", "/customers/{id}/orders"): "customers:read",
    ("POST", "/customers/{id}/orders"): "customers:write",
    ("POST", "/customers/{id}/store-credit/adjustments"): "customers:write",
    ("POST", "/customers/{id}/reward-points/adjustments"): "customers:write",
    ("PUT", "/customers/{id}/newsletter"): "customers:write",
    ("POST", "/customers/{id}/login-as"): "customers:assist",
    ("POST", "/customers/{id}/password-reset"): "customers:credentials",
    ("POST", "/customers/{id}/force-sign-in"): "customers:credentials",
    ("GET", "/customers/{id}/audit"): "audit:read",
    ("GET", "/exports/customers.csv"): "customers:read",  # SPEC 7
    ("POST", "/customers/mass-actions"): "customers:write",
    ("GET", "/customers/{id}/export"): "customers:export",
    ("GET", "/exports/online-customers.csv"): "online:read",
    ("POST", "/storefront/events"): "events:write",
    ("POST", "/storefront/login-as/redeem"): "sessions:write",
    ("GET", "/storefront/sessions/{session_id}"): "sessions:read",
    ("GET", "/openapi.json"): None,
    ("GET", "/docs"): None,
    ("GET", "/console"): None,
}
PUBLIC_ROUTES = {key for key, scope in SPEC_ROUTES.items() if scope is None}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _is_public(route) -> bool:
    # SAM writes `Auth: {Authorizer: NONE}` as `security: [{"NONE": []}]`, which routes() reports
    # as the authorizer name "NONE"; no security at all would be None.
    return route.authorizer in (None, "NONE") and not route.scopes


SPEC_BY_SHAPE = {(method, _shape(path)): scope for (method, path), scope in SPEC_ROUTES.items()}


@pytest.fixture(scope="module")
def cfn() -> dict[str, Any]:
    return translated()


# ---------------------------------------------------------------- cfn-lint
def test_cfn_lint_with_serverless_rules_reports_nothing():
    """cfn-lint (the pinned one in this venv) plus the cfn-lint-serverless rules: no error, no warning.

    A finding that is not real is excluded next to the resource it concerns (Metadata cfn-lint
    ignore_checks, with the reason), never here.
    """
    import cfn_lint_serverless  # noqa: F401 - pinned in requirements-dev.txt: missing must fail, not skip
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    # the template goes before -a: -a takes a list and would swallow it
    result = subprocess.run(
        [str(cfn_lint), str(TEMPLATE), "--format", "parseable", "-a", "cfn_lint_serverless.rules"],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0 and not result.stdout.strip(), (
        f"cfn-lint exit {result.returncode}:\n{result.stdout}{result.stderr}")


def test_cfn_lint_serverless_rules_are_loaded():
    """The lint above is only worth something if -a really loads the serverless rules."""
    import cfn_lint_serverless  # noqa: F401 - pinned in requirements-dev.txt: missing must fail, not skip
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), "--list-rules", "-a", "cfn_lint_serverless.rules"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for rule in ("ES1001", "ES2000", "ES4000", "ES6000", "WS1004"):
        assert rule in result.stdout


# ---------------------------------------------------------------- routes and scopes
def test_spec_table_has_every_route_once():
    shapes = [(m, _shape(p)) for m, p in SPEC_ROUTES]
    assert len(shapes) == len(set(shapes))


def test_every_route_is_in_the_spec_with_its_scope(cfn):
    found = routes(cfn)
    assert found, "the HTTP API declares no routes"
    problems = []
    for route in found:
        key = (route.method, _shape(route.path))
        if key not in SPEC_BY_SHAPE:
            problems.append(f"{route.key}: not in SPEC section 4")
            continue
        expected = SPEC_BY_SHAPE[key]
        if expected is None:
            if not _is_public(route):
                problems.append(f"{route.key}: documented public, has {route.authorizer} {route.scopes}")
        elif route.scopes != (expected,):
            problems.append(f"{route.key}: scopes {route.scopes}, SPEC says ({expected!r},)")
    assert not problems, "\n".join(problems)


def test_every_non_public_route_has_the_jwt_authorizer_and_a_scope(cfn):
    authorizers = jwt_authorizers(cfn)
    problems = []
    for route in routes(cfn):
        if (route.method, _shape(route.path)) in {(m, _shape(p)) for m, p in PUBLIC_ROUTES}:
            continue
        if route.authorizer not in authorizers:
            problems.append(f"{route.key}: authorizer {route.authorizer!r}, not a JWT authorizer")
        if not route.scopes or not all(route.scopes):
            problems.append(f"{route.key}: no scope")
    assert not problems, "\n".join(problems)


def test_no_route_bypasses_the_api_body(cfn):
    """Routes declared as separate AWS::ApiGatewayV2::Route resources would escape the checks above."""
    assert not resources_of_type(cfn, "AWS::ApiGatewayV2::Route")
    assert len(resources_of_type(cfn, "AWS::ApiGatewayV2::Api")) == 1


def test_jwt_issuer_and_audience_come_from_parameters(cfn):
    authorizers = jwt_authorizers(cfn)
    assert authorizers, "no JWT authorizer"
    for name, config in authorizers.items():
        assert config["issuer"] == {"Ref": "JwtIssuer"}, name
        assert config["audience"] == {"Ref": "JwtAudience"}, name
    # no literal hiding in a default either: the deployer must name the IdP
    for parameter in ("JwtIssuer", "JwtAudience"):
        assert "Default" not in cfn["Parameters"][parameter]
    # and the local values never leak into the template
    text = TEMPLATE.read_text()
    for parameter in ("JwtIssuer", "JwtAudience"):
        assert LOCAL_PARAMETERS[parameter] not in text


def test_authorizer_reads_the_bearer_token(cfn):
    for api in resources_of_type(cfn, "AWS::ApiGatewayV2::Api").values():
        schemes = api["Properties"]["Body"]["components"]["securitySchemes"]
        for scheme in schemes.values():
            authorizer = scheme["x-amazon-apigateway-authorizer"]
            assert authorizer["identitySource"] == "$request.header.Authorization"


def test_lambda_permissions_are_scoped_to_the_api(cfn):
    for name, permission in resources_of_type(cfn, "AWS::Lambda::Permission").items():
        props = permission["Properties"]
        if props["Principal"] == "events.amazonaws.com":  # the sweeper's schedule, and only its own rule
            assert props["FunctionName"] == {"Ref": "OnlineSweeperFunction"}, name
            assert props["SourceArn"] == {"Fn::GetAtt": ["OnlineSweeperFunctionEveryMinute", "Arn"]}, name
            continue
        assert props["Principal"] == "apigateway.amazonaws.com", name
        source = props.get("SourceArn")
        assert source, f"{name}: any API Gateway API could invoke the function"
        assert "HttpApi" in str(source), name


# ---------------------------------------------------------------- IAM: least privilege
# A statement's Resource must point at one of these (by Ref/GetAtt/Sub), never a literal or "*".
SCOPABLE_TYPES = {"AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SNS::Topic", "AWS::Events::EventBus",
                  "AWS::SecretsManager::Secret"}
FORBIDDEN_ACTIONS = {
    "dynamodb:scan",  # the online list and every read are keyed Queries/GetItems
    "dynamodb:partiqlselect",  # can scan a whole table through PartiQL
    "dynamodb:deletetable", "dynamodb:updatetable", "dynamodb:createtable",
}
# AWS managed policies SAM attaches: CloudWatch Logs (its own log group per function) and X-Ray
# (Tracing: Active; X-Ray has no resource-level permissions). Anything else is a finding:
# SAM's SQS event, for one, attaches AWSLambdaSQSQueueExecutionRole (sqs:* reads on "*").
ALLOWED_MANAGED_POLICIES = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
}


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [value]


def resource_target(resource: Any) -> tuple[str, str]:
    """(logical id, suffix) that a statement Resource points at; suffix like "/index/name".

    Literal strings resolve to ("", literal). Anything else raises, so a new intrinsic shape
    is looked at rather than waved through.
    """
    if isinstance(resource, str):
        return "", resource
    if "Fn::GetAtt" in resource:
        target = resource["Fn::GetAtt"]
        logical_id, attribute = target if isinstance(target, list) else target.split(".", 1)
        assert attribute == "Arn", resource
        return logical_id, ""
    if "Ref" in resource:
        return resource["Ref"], ""
    if "Fn::Sub" in resource and isinstance(resource["Fn::Sub"], str):
        match = re.fullmatch(r"\$\{([A-Za-z0-9]+)\.Arn\}(.*)", resource["Fn::Sub"])
        assert match, f"unexpected Sub {resource}"
        return match.group(1), match.group(2)
    raise AssertionError(f"unexpected Resource {resource}")


def role_statements(role: dict) -> Iterator[tuple[str, dict]]:
    for policy in role["Properties"].get("Policies", []):
        for statement in _as_list(policy["PolicyDocument"]["Statement"]):
            yield policy["PolicyName"], statement


def allowed(cfn: dict, role_name: str) -> list[tuple[str, str, str]]:
    """(action lower case, logical id, suffix) for every Allow of the role's inline policies."""
    grants = []
    for _, statement in role_statements(cfn["Resources"][role_name]):
        if statement.get("Effect") != "Allow":
            continue
        for action in _as_list(statement["Action"]):
            for resource in _as_list(statement["Resource"]):
                grants.append((action.lower(), *resource_target(resource)))
    return grants


def function_role(cfn: dict, function: str) -> str:
    role = cfn["Resources"][function]["Properties"]["Role"]
    assert role["Fn::GetAtt"][1] == "Arn"
    return role["Fn::GetAtt"][0]


def test_every_role_statement_is_specific(cfn):
    roles = resources_of_type(cfn, "AWS::IAM::Role")
    assert roles
    problems = []
    for role_name, role in roles.items():
        for policy, statement in role_statements(role):
            where = f"{role_name}/{policy}"
            for key in ("NotAction", "NotResource", "NotPrincipal"):
                if key in statement:
                    problems.append(f"{where}: {key} grants everything else")
            actions = _as_list(statement.get("Action", []))
            resources = _as_list(statement.get("Resource", []))
            if not actions or not resources:
                problems.append(f"{where}: statement without Action or Resource")
            for action in actions:
                if not isinstance(action, str) or "*" in action:
                    problems.append(f"{where}: wildcard action {action!r}")
                elif action.lower() in FORBIDDEN_ACTIONS:
                    problems.append(f"{where}: forbidden action {action}")
            for resource in resources:
                logical_id, suffix = resource_target(resource)
                is_bucket = cfn["Resources"].get(logical_id, {}).get("Type") == "AWS::S3::Bucket"
                if is_bucket and suffix and re.fullmatch(r"/[A-Za-z0-9_-]+/\*", suffix):
                    continue  # the objects under one key prefix of a bucket of the template
                if "*" in suffix or "*" in logical_id:
                    problems.append(f"{where}: wildcard resource {resource}")
                elif not logical_id:
                    problems.append(f"{where}: literal resource {resource!r}, not a template resource")
                elif cfn["Resources"].get(logical_id, {}).get("Type") not in SCOPABLE_TYPES:
                    problems.append(f"{where}: resource {logical_id} is not a table/queue/topic/bus/secret")
                elif suffix and not re.fullmatch(r"/index/[A-Za-z0-9_.-]+", suffix):
                    problems.append(f"{where}: resource {resource} is neither an ARN nor an index ARN")
                elif "Ref" in resource and cfn["Resources"][logical_id]["Type"] == "AWS::SQS::Queue":
                    problems.append(f"{where}: Ref of a queue is its URL, not its ARN")
    assert not problems, "\n".join(problems)


def test_roles_attach_only_the_expected_managed_policies(cfn):
    for role_name, role in resources_of_type(cfn, "AWS::IAM::Role").items():
        extra = set(role["Properties"].get("ManagedPolicyArns", [])) - ALLOWED_MANAGED_POLICIES
        assert not extra, f"{role_name} attaches {sorted(extra)}"


def test_roles_are_assumed_by_lambda_only(cfn):
    for role_name, role in resources_of_type(cfn, "AWS::IAM::Role").items():
        for statement in role["Properties"]["AssumeRolePolicyDocument"]["Statement"]:
            assert statement["Principal"] == {"Service": ["lambda.amazonaws.com"]}, role_name


def test_every_function_has_its_own_role(cfn):
    roles = [function_role(cfn, name) for name in resources_of_type(cfn, "AWS::Lambda::Function")]
    assert len(roles) == len(set(roles))


def test_online_list_only_queries_the_presence_indexes_and_reads_the_rows_it_keeps(cfn):
    grants = allowed(cfn, function_role(cfn, "OnlineCustomersFunction"))
    on_presence = {(action, suffix) for action, target, suffix in grants if target == "PresenceTable"}
    indexes = ("online-by-activity", "online-by-last-name", "online-by-email", "online-search-1", "online-search-2",
               "online-search-3")
    assert on_presence == {*(("dynamodb:query", f"/index/{index}") for index in indexes), ("dynamodb:batchgetitem", "")}


def test_the_search_indexes_hold_only_the_search_copies_in_activity_order(cfn):
    table = resources_of_type(cfn, "AWS::DynamoDB::Table")["PresenceTable"]["Properties"]
    searched = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]
                if index["IndexName"].startswith("online-search")}
    assert sorted(searched) == ["online-search-1", "online-search-2", "online-search-3"]
    for slot, index in enumerate(sorted(searched), start=1):
        keys = {k["KeyType"]: k["AttributeName"] for k in searched[index]["KeySchema"]}
        assert keys == {"HASH": f"search_pk_{slot}", "RANGE": "online_sk"}
        assert searched[index]["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": [
            "search_first_name", "search_last_name", "search_email"]}


def test_the_sweeper_reads_the_activity_index_and_only_updates_rows(cfn):
    grants = allowed(cfn, function_role(cfn, "OnlineSweeperFunction"))
    on_presence = {(action, suffix) for action, target, suffix in grants if target == "PresenceTable"}
    assert on_presence == {("dynamodb:query", "/index/online-by-activity"), ("dynamodb:updateitem", "")}
    schedules = [e["Properties"]["ScheduleExpression"] for e in resources_of_type(cfn, "AWS::Events::Rule").values()
                 if "ScheduleExpression" in e["Properties"]]
    assert schedules == ["rate(1 minute)"]


def test_ingest_queries_only_the_sessions_by_customer_index_of_presence(cfn):
    grants = allowed(cfn, function_role(cfn, "IngestFunction"))
    on_presence = [(action, suffix) for action, target, suffix in grants if target == "PresenceTable"]
    assert on_presence, "the ingest function writes presence"
    # account_updated refreshes the customer's online rows, found through this index (issue 11)
    assert [g for g in on_presence if g[0] == "dynamodb:query"] == [("dynamodb:query", "/index/sessions-by-customer")]
    assert all(suffix == "" for action, suffix in on_presence if action != "dynamodb:query")


def test_storefront_events_can_only_send_to_the_events_queue(cfn):
    grants = allowed(cfn, function_role(cfn, "StorefrontEventsFunction"))
    # and read the website registry (an event of an unregistered website is rejected at the intake)
    assert set(grants) == {("sqs:sendmessage", "EventsQueue", ""), ("dynamodb:getitem", "CustomersTable", "")}


def test_ingest_reads_only_the_events_queue(cfn):
    grants = allowed(cfn, function_role(cfn, "IngestFunction"))
    sqs = {(action, target) for action, target, _ in grants if action.startswith("sqs:")}
    assert sqs == {("sqs:receivemessage", "EventsQueue"), ("sqs:deletemessage", "EventsQueue"),
                   ("sqs:getqueueattributes", "EventsQueue")}


def test_read_only_functions_cannot_write(cfn):
    for function in ("OnlineCustomersFunction", "StorefrontSessionsFunction"):
        actions = {action for action, _, _ in allowed(cfn, function_role(cfn, function))}
        assert actions <= {"dynamodb:getitem", "dynamodb:batchgetitem", "dynamodb:query",
                           "secretsmanager:getsecretvalue"}, function


# ---------------------------------------------------------------- SQS and EventBridge
def _get_att(value: Any) -> tuple[str, str] | None:
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        return tuple(target if isinstance(target, list) else target.split(".", 1))
    return None


def _ingest_mapping(cfn: dict) -> dict:
    mappings = [m["Properties"] for m in resources_of_type(cfn, "AWS::Lambda::EventSourceMapping").values()
                if m["Properties"]["FunctionName"] == {"Ref": "IngestFunction"}]
    assert len(mappings) == 1, mappings
    return mappings[0]


def test_events_queue_redrives_to_the_dead_letter_queue(cfn):
    queue = cfn["Resources"]["EventsQueue"]["Properties"]
    redrive = queue["RedrivePolicy"]
    assert _get_att(redrive["deadLetterTargetArn"]) == ("EventsDeadLetterQueue", "Arn")
    assert cfn["Resources"]["EventsDeadLetterQueue"]["Type"] == "AWS::SQS::Queue"
    # at least 5 receives: throttling must not dead-letter valid events (docs/operations.md)
    assert 5 <= int(redrive["maxReceiveCount"]) <= 10
    # the DLQ keeps a message at least as long as the source queue did (retention is not reset)
    dlq = cfn["Resources"]["EventsDeadLetterQueue"]["Properties"]
    assert int(dlq.get("MessageRetentionPeriod", 345600)) >= int(queue.get("MessageRetentionPeriod", 345600))


def test_events_queue_visibility_covers_six_ingest_timeouts(cfn):
    timeout = functions(cfn)["IngestFunction"].timeout
    visibility = int(cfn["Resources"]["EventsQueue"]["Properties"].get("VisibilityTimeout", 30))
    assert visibility >= 6 * timeout, f"visibility {visibility}s < 6 x {timeout}s"


def test_ingest_reads_the_events_queue_with_partial_batch_failures(cfn):
    mapping = _ingest_mapping(cfn)
    assert _get_att(mapping["EventSourceArn"]) == ("EventsQueue", "Arn")
    assert "ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", [])
    # SQS batches above 10 need a batching window of at least 1 s
    if int(mapping.get("BatchSize", 10)) > 10:
        assert int(mapping.get("MaximumBatchingWindowInSeconds", 0)) >= 1
    assert mapping.get("Enabled", True) is not False


def test_dead_letter_queue_depth_is_alarmed(cfn):
    alarms = [
        a["Properties"] for a in resources_of_type(cfn, "AWS::CloudWatch::Alarm").values()
        if a["Properties"].get("Namespace") == "AWS/SQS"
        and a["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
        and {"Name": "QueueName", "Value": {"Fn::GetAtt": ["EventsDeadLetterQueue", "QueueName"]}}
        in a["Properties"].get("Dimensions", [])
    ]
    assert alarms, "no alarm on the DLQ depth"
    for alarm in alarms:
        assert alarm["ComparisonOperator"] == "GreaterThanThreshold" and float(alarm["Threshold"]) == 0
        assert alarm.get("AlarmActions"), "the alarm notifies nobody"


def _storefront_rules(cfn: dict) -> dict[str, dict]:
    return {name: rule["Properties"] for name, rule in resources_of_type(cfn, "AWS::Events::Rule").items()
            if rule["Properties"].get("EventPattern", {}).get("source") == ["storefront"]}


def test_storefront_rule_targets_the_events_queue(cfn):
    rules = _storefront_rules(cfn)
    assert len(rules) == 1, rules
    (rule,) = rules.values()
    assert rule["EventBusName"] == {"Ref": "StorefrontBus"}
    assert rule.get("State", "ENABLED") == "ENABLED"
    targets = {_get_att(t["Arn"]) for t in rule["Targets"]}
    assert ("EventsQueue", "Arn") in targets
    for target in rule["Targets"]:
        assert _get_att(target.get("DeadLetterConfig", {}).get("Arn")) == ("EventsDeadLetterQueue", "Arn")


def _queue_policies(cfn: dict) -> dict[str, dict]:
    """Queue logical id -> its policy document; a queue in two QueuePolicy resources fails
    (CloudFormation would keep only one of them)."""
    found: dict[str, dict] = {}
    for _name, policy in resources_of_type(cfn, "AWS::SQS::QueuePolicy").items():
        for queue in policy["Properties"]["Queues"]:
            logical_id = queue["Ref"]
            assert logical_id not in found, f"{logical_id} is in two queue policies"
            found[logical_id] = policy["Properties"]["PolicyDocument"]
    return found


@pytest.mark.parametrize("queue", ["EventsQueue", "EventsDeadLetterQueue"])
def test_only_the_storefront_rule_can_send_to_the_queues(cfn, queue):
    (rule_name,) = _storefront_rules(cfn)
    policy = _queue_policies(cfn)[queue]
    statements = _as_list(policy["Statement"])
    assert statements
    for statement in statements:
        if statement["Effect"] == "Deny":
            continue
        assert statement["Principal"] == {"Service": "events.amazonaws.com"}
        assert _as_list(statement["Action"]) == ["sqs:SendMessage"]
        assert [_get_att(r) for r in _as_list(statement["Resource"])] == [(queue, "Arn")]
        assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_name, "Arn"]}}}


def test_queues_are_encrypted(cfn):
    for name, queue in resources_of_type(cfn, "AWS::SQS::Queue").items():
        props = queue["Properties"]
        assert props.get("SqsManagedSseEnabled") or props.get("KmsMasterKeyId"), name


# ---------------------------------------------------------------- DynamoDB
def _idempotency_layer():
    """The persistence layer api/idempotency.py uses, with the attribute names it writes."""
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

    return DynamoDBPersistenceLayer(table_name="IdempotencyTable")


def test_tables_expire_items_and_are_encrypted(cfn):
    tables = resources_of_type(cfn, "AWS::DynamoDB::Table")
    assert set(tables) >= {"PresenceTable", "CustomersTable", "IdempotencyTable"}
    # Powertools writes its own TTL attribute on idempotency records; every other item uses expires_at.
    ttl_attribute = {"IdempotencyTable": _idempotency_layer().expiry_attr}
    for name, table in tables.items():
        props = table["Properties"]
        expected = {"AttributeName": ttl_attribute.get(name, "expires_at"), "Enabled": True}
        assert props["TimeToLiveSpecification"] == expected, name
        assert props["SSESpecification"]["SSEEnabled"] is True, name


def test_idempotency_table_has_the_key_powertools_writes(cfn):
    props = cfn["Resources"]["IdempotencyTable"]["Properties"]
    assert props["KeySchema"] == [{"AttributeName": _idempotency_layer().key_attr, "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": _idempotency_layer().key_attr, "AttributeType": "S"}]


def test_only_functions_with_the_idempotency_table_get_it(cfn):
    """IDEMPOTENCY_TABLE and the grants on the table go together, and the grants are what Powertools needs."""
    needed = {"dynamodb:getitem", "dynamodb:putitem", "dynamodb:updateitem", "dynamodb:deleteitem"}
    erasers = {"CustomerDeletionFunction"}  # deletes a deleted customer's records, never reads or writes one
    for name, spec in functions(cfn).items():
        grants = {action for action, target, _ in allowed(cfn, function_role(cfn, name))
                  if target == "IdempotencyTable"}
        if "IDEMPOTENCY_TABLE" in spec.environment:
            assert spec.environment["IDEMPOTENCY_TABLE"] == {"Ref": "IdempotencyTable"}, name
            assert grants == ({"dynamodb:deleteitem"} if name in erasers else needed), name
        else:
            assert not grants, f"{name} can reach the idempotency table without using it"


def test_presence_index_exists_as_the_policies_name_it(cfn):
    indexes = {i["IndexName"] for i in cfn["Resources"]["PresenceTable"]["Properties"]["GlobalSecondaryIndexes"]}
    for role in resources_of_type(cfn, "AWS::IAM::Role"):
        for _, target, suffix in allowed(cfn, role):
            if target == "PresenceTable" and suffix:
                assert suffix.removeprefix("/index/") in indexes


# ---------------------------------------------------------------- Lambda
def test_every_function_runs_python313_on_arm64(cfn):
    lambdas = resources_of_type(cfn, "AWS::Lambda::Function")
    assert len(lambdas) >= 5
    for name, function in lambdas.items():
        props = function["Properties"]
        assert props["Runtime"] == "python3.13", name
        assert props["Architectures"] == ["arm64"], name


def test_layers_are_built_for_python313_on_arm64(cfn):
    layers = resources_of_type(cfn, "AWS::Lambda::LayerVersion")
    assert layers
    for name, layer in layers.items():
        props = layer["Properties"]
        assert props["CompatibleRuntimes"] == ["python3.13"], name
        assert props["CompatibleArchitectures"] == ["arm64"], name
    for name, function in resources_of_type(cfn, "AWS::Lambda::Function").items():
        for layer in function["Properties"].get("Layers", []):
            assert layer["Ref"] in layers, f"{name} uses a layer from outside the template"


def test_function_logs_have_retention(cfn):
    retained = set()
    for group in resources_of_type(cfn, "AWS::Logs::LogGroup").values():
        props = group["Properties"]
        if "RetentionInDays" not in props:
            continue
        name = props.get("LogGroupName")
        if isinstance(name, dict) and "Fn::Sub" in name:
            match = re.fullmatch(r"/aws/lambda/\$\{([A-Za-z0-9]+)\}", name["Fn::Sub"])
            if match:
                retained.add(match.group(1))
    assert set(resources_of_type(cfn, "AWS::Lambda::Function")) <= retained


def test_credential_actions_are_throttled_harder_than_the_stage_default():
    from local import template as local_template

    default = local_template.stage_settings()
    routes = local_template.route_settings()
    for key in ("POST /customers/{customer_id}/login-as", "POST /customers/{customer_id}/password-reset",
                "POST /customers/{customer_id}/force-sign-in", "POST /storefront/login-as/redeem"):
        assert routes[key]["ThrottlingRateLimit"] < default["ThrottlingRateLimit"], key
        assert routes[key]["ThrottlingBurstLimit"] < default["ThrottlingBurstLimit"], key
    declared = {r.key for r in local_template.routes()}
    assert set(routes) <= declared, "RouteSettings name a route the API does not have"
    assert routes["POST /storefront/events"]["ThrottlingRateLimit"] > default["ThrottlingRateLimit"]


# ---------------------------------------------------------------- browsers (SPEC 6 "Caching and browsers")
def test_no_cors_configuration_by_default(cfn):
    from local.template import cors_configuration

    assert cfn["Parameters"]["AllowedOrigins"]["Default"] == ""
    assert cors_configuration(cfn) is None  # the condition drops CorsConfiguration entirely


def test_cors_allows_exactly_the_origins_of_the_parameter():
    from local.template import cors_configuration

    parameters = {**LOCAL_PARAMETERS, "AllowedOrigins": "https://admin.example.com,https://ops.example.com"}
    cors = cors_configuration(translated(parameters), parameters)
    assert cors is not None
    assert cors["allowOrigins"] == ["https://admin.example.com", "https://ops.example.com"]
    assert "*" not in cors["allowOrigins"]
    assert set(cors["allowHeaders"]) >= {"authorization", "content-type", "if-match", "idempotency-key"}


def test_every_api_function_answers_through_the_no_store_resolver():
    """Every handler builds its resolver with create_app, which adds Cache-Control: no-store to JSON answers."""
    from shopadmin.api.resolver import NoStoreResolver

    for function in functions().values():
        if function.logical_id in ("IngestFunction", "OnlineSweeperFunction"):
            continue  # SQS and a schedule, not HTTP
        source = function.module_file.read_text()
        builds = "create_app(" in source or "create_docs_app(" in source  # the docs app calls create_app too
        assert builds and "APIGatewayHttpResolver(" not in source, function.logical_id
    from shopadmin.api.resolver import create_app

    assert isinstance(create_app(), NoStoreResolver)


LIST_FUNCTIONS = {"OnlineCustomersFunction", "CustomersFunction", "CustomerCommerceFunction", "CustomerAuditFunction"}


def test_only_the_functions_that_page_read_the_cursor_signing_key(cfn):
    assert cfn["Resources"]["CursorSigningKey"]["Type"] == "AWS::SecretsManager::Secret"
    assert "GenerateSecretString" in cfn["Resources"]["CursorSigningKey"]["Properties"]  # never in the template
    for function in resources_of_type(cfn, "AWS::Lambda::Function"):
        grants = {(action, target) for action, target, _ in allowed(cfn, function_role(cfn, function))
                  if target == "CursorSigningKey" or action.startswith("secretsmanager:")}
        variables = cfn["Resources"][function]["Properties"].get("Environment", {}).get("Variables", {})
        if function in LIST_FUNCTIONS:
            assert grants == {("secretsmanager:getsecretvalue", "CursorSigningKey")}, function
            assert variables.get("CURSOR_SECRET_ARN") == {"Ref": "CursorSigningKey"}, function
        else:
            assert not grants and "CURSOR_SECRET_ARN" not in variables, function
