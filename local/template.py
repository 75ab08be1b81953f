"""template.yaml as CloudFormation will receive it, and the resources it declares.

One source for the local gateway (routes, scopes, handlers), the local stack and the
integration tests (tables, queues, bus), and the infrastructure tests (policies, authorizers):
the SAM template is translated offline with aws-sam-translator, the library behind
`sam validate`, so nothing here can drift from what AWS deploys.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "template.yaml"
LOCAL_ARTIFACTS = "s3://local-artifacts/"

# Parameters the template requires; the local gateway signs dev tokens with this issuer/audience.
LOCAL_PARAMETERS = {
    "JwtIssuer": "https://dev-issuer.shop-admin.local",
    "JwtAudience": "shop-admin-local",
    # AWS's default (32) carries 10,000 events/s; moto answers one request at a time, and the
    # summary reads every shard, so the laptop stack keeps 16
    "OnlineShardCount": "16",
}
LOCAL_REGION = "us-east-1"
LOCAL_STACK = "shop-admin-local"


class _NoManagedPolicies:
    """The template names no AWS managed policy, so the translator never needs IAM."""

    def load(self) -> dict:
        return {}


@functools.lru_cache(maxsize=4)
def _translated(parameters_json: str) -> str:
    os.environ.setdefault("AWS_DEFAULT_REGION", LOCAL_REGION)
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse

    sam = yaml_parse(TEMPLATE.read_text())
    # `sam validate` swaps local code paths for S3 URIs the same way; the path survives in S3Key.
    for resource in sam["Resources"].values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                props[key] = LOCAL_ARTIFACTS + props[key]
    cfn = transform(sam, json.loads(parameters_json), _NoManagedPolicies())
    return json.dumps(cfn)


def translated(parameters: dict[str, str] | None = None) -> dict[str, Any]:
    """The CloudFormation template (a fresh copy) after the SAM transform."""
    return json.loads(_translated(json.dumps(parameters or LOCAL_PARAMETERS, sort_keys=True)))


def resources_of_type(cfn: dict, type_name: str) -> dict[str, dict]:
    return {name: r for name, r in cfn["Resources"].items() if r["Type"] == type_name}


# ---------------------------------------------------------------- routes
@dataclass(frozen=True)
class Route:
    method: str  # upper case
    path: str  # OpenAPI style, e.g. /storefront/sessions/{session_id}
    function: str  # logical id of the integration function
    authorizer: str | None  # None when the route is public (Authorizer: NONE)
    scopes: tuple[str, ...]

    @property
    def key(self) -> str:
        """The route key as API Gateway names it, e.g. "GET /customers/{id}"."""
        return f"{self.method} {self.path}"

    @property
    def path_regex(self) -> re.Pattern:
        # {name} matches one segment; {name+} (greedy, as API Gateway allows) matches the rest.
        def group(match: re.Match) -> str:
            name, greedy = match.group(1), match.group(2)
            return f"(?P<{name}>.+)" if greedy else f"(?P<{name}>[^/]+)"

        pattern = re.sub(r"\\{([A-Za-z0-9_]+)(\\\+)?\\}", group, re.escape(self.path))
        return re.compile(f"^{pattern}$")


_FUNCTION_IN_URI = re.compile(r"\$\{([A-Za-z0-9]+)\.Arn\}")
_ANY_METHOD = "x-amazon-apigateway-any-method"  # what SAM writes for `Method: ANY`


def routes(cfn: dict | None = None) -> list[Route]:
    cfn = cfn or translated()
    found: list[Route] = []
    for api in resources_of_type(cfn, "AWS::ApiGatewayV2::Api").values():
        body = api["Properties"]["Body"]
        for path, methods in body.get("paths", {}).items():
            for method, op in methods.items():
                if method == _ANY_METHOD:
                    method = "ANY"
                elif method.startswith("x-"):
                    continue
                uri = op["x-amazon-apigateway-integration"]["uri"]
                uri = uri["Fn::Sub"] if isinstance(uri, dict) else uri
                function = _FUNCTION_IN_URI.search(uri).group(1)
                security = op.get("security") or []
                authorizer, scopes = None, ()
                for requirement in security:
                    for name, requirement_scopes in requirement.items():
                        if name != "NONE":  # SAM writes `Authorizer: NONE` as a "NONE" requirement
                            authorizer, scopes = name, tuple(requirement_scopes)
                found.append(Route(method.upper(), path, function, authorizer, scopes))
    return sorted(found, key=lambda r: (r.path, r.method))


def jwt_authorizers(cfn: dict | None = None) -> dict[str, dict]:
    """Authorizer name -> its JwtConfiguration, as declared in the API body."""
    cfn = cfn or translated()
    found = {}
    for api in resources_of_type(cfn, "AWS::ApiGatewayV2::Api").values():
        schemes = api["Properties"]["Body"].get("components", {}).get("securitySchemes", {})
        for name, scheme in schemes.items():
            authorizer = scheme.get("x-amazon-apigateway-authorizer", {})
            if authorizer.get("type") == "jwt":
                found[name] = authorizer["jwtConfiguration"]
    return found


# ---------------------------------------------------------------- functions
@dataclass
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str  # module.attribute, e.g. app.handler
    environment: dict[str, Any] = field(default_factory=dict)  # values may hold Ref/GetAtt
    memory_size: int = 128  # Lambda's defaults when the template sets none
    timeout: int = 3

    @property
    def module_file(self) -> Path:
        return self.code_dir / (self.handler.rsplit(".", 1)[0] + ".py")


def functions(cfn: dict | None = None) -> dict[str, FunctionSpec]:
    cfn = cfn or translated()
    specs = {}
    for name, resource in resources_of_type(cfn, "AWS::Lambda::Function").items():
        props = resource["Properties"]
        code_dir = ROOT / props["Code"]["S3Key"]
        env = props.get("Environment", {}).get("Variables", {})
        specs[name] = FunctionSpec(name, code_dir, props["Handler"], dict(env),
                                   int(props.get("MemorySize", 128)), int(props.get("Timeout", 3)))
    return specs


def shared_layer_paths(cfn: dict | None = None) -> list[Path]:
    """Folders that Lambda would mount under /opt/python (layers without a build step)."""
    cfn = cfn or translated()
    paths = []
    for resource in resources_of_type(cfn, "AWS::Lambda::LayerVersion").values():
        key = resource["Properties"]["Content"]["S3Key"]
        python_dir = ROOT / key / "python"
        if python_dir.is_dir():
            paths.append(python_dir)
    return paths


def resolve(value: Any, names: dict[str, str], parameters: dict[str, str],
            attributes: dict[tuple[str, str], str] | None = None) -> Any:
    """Resolve the few intrinsics the function environments use.

    Ref to a resource (`names`) or parameter, Fn::GetAtt [resource, attribute] (`attributes`),
    and Fn::Sub over those. Anything else is a template feature the local stack does not know:
    it fails loudly instead of handing a handler a dict where it expects a string.
    """
    attributes = attributes or {}
    if not isinstance(value, dict):
        return value
    if "Ref" in value:
        ref = value["Ref"]
        if ref in names:
            return names[ref]
        if ref in parameters:
            return parameters[ref]
        raise KeyError(f"cannot resolve Ref {ref} locally")
    if "Fn::GetAtt" in value:
        target = value["Fn::GetAtt"]
        resource, attribute = target if isinstance(target, list) else target.split(".", 1)
        if (resource, attribute) in attributes:
            return attributes[(resource, attribute)]
        raise KeyError(f"cannot resolve Fn::GetAtt {resource}.{attribute} locally")
    if "Fn::Sub" in value and isinstance(value["Fn::Sub"], str):
        def one(match: re.Match) -> str:
            token = match.group(1)
            if "." in token:
                return str(resolve({"Fn::GetAtt": token}, names, parameters, attributes))
            return str(resolve({"Ref": token}, names, parameters, attributes))

        return re.sub(r"\$\{([^}!]+)\}", one, value["Fn::Sub"])
    raise KeyError(f"cannot resolve {sorted(value)} locally")


def parameter_defaults(cfn: dict | None = None) -> dict[str, str]:
    cfn = cfn or translated()
    defaults = {k: str(v["Default"]) for k, v in cfn.get("Parameters", {}).items() if "Default" in v}
    defaults.update(LOCAL_PARAMETERS)
    return defaults


# ---------------------------------------------------------------- API stage and event sources
def stage_settings(cfn: dict | None = None) -> dict[str, Any]:
    """DefaultRouteSettings of the HTTP API stage (throttling), {} when none."""
    cfn = cfn or translated()
    for stage in resources_of_type(cfn, "AWS::ApiGatewayV2::Stage").values():
        return dict(stage["Properties"].get("DefaultRouteSettings", {}))
    return {}


def route_settings(cfn: dict | None = None) -> dict[str, dict[str, Any]]:
    """Per-route throttling of the HTTP API stage: route key -> settings, {} when none."""
    cfn = cfn or translated()
    for stage in resources_of_type(cfn, "AWS::ApiGatewayV2::Stage").values():
        return {key: dict(value) for key, value in stage["Properties"].get("RouteSettings", {}).items()}
    return {}


def cors_configuration(cfn: dict | None = None, parameters: dict[str, str] | None = None) -> dict[str, Any] | None:
    """The HTTP API's CORS configuration (x-amazon-apigateway-cors), None when CORS is off.

    The template makes it conditional on the AllowedOrigins parameter (empty: no CORS), so the
    condition is evaluated with `parameters` (the template defaults and LOCAL_PARAMETERS when None).
    """
    cfn = cfn or translated()
    values = {**parameter_defaults(cfn), **(parameters or {})}
    for api in resources_of_type(cfn, "AWS::ApiGatewayV2::Api").values():
        cors = _evaluate(api["Properties"]["Body"].get("x-amazon-apigateway-cors"), cfn, values)
        if cors and cors is not _NO_VALUE:
            return dict(cors)
    return None


_NO_VALUE = object()


def _evaluate(value: Any, cfn: dict, parameters: dict[str, str]) -> Any:
    """The few intrinsic functions a condition-guarded setting uses: Ref, Fn::If/Equals/Not/Split."""
    if isinstance(value, list):
        return [_evaluate(v, cfn, parameters) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return _NO_VALUE if value["Ref"] == "AWS::NoValue" else parameters[value["Ref"]]
    if set(value) == {"Fn::If"}:
        name, if_true, if_false = value["Fn::If"]
        chosen = if_true if _evaluate(cfn["Conditions"][name], cfn, parameters) else if_false
        return _evaluate(chosen, cfn, parameters)
    if set(value) == {"Fn::Equals"}:
        left, right = (_evaluate(v, cfn, parameters) for v in value["Fn::Equals"])
        return left == right
    if set(value) == {"Fn::Not"}:
        return not _evaluate(value["Fn::Not"][0], cfn, parameters)
    if set(value) == {"Fn::Split"}:
        separator, text = value["Fn::Split"]
        return str(_evaluate(text, cfn, parameters)).split(separator)
    return {k: _evaluate(v, cfn, parameters) for k, v in value.items()}


@dataclass(frozen=True)
class SqsEventSource:
    function: str  # logical id of the function
    queue: str  # logical id of the AWS::SQS::Queue
    batch_size: int
    batching_window_seconds: int
    report_batch_item_failures: bool
    max_receive_count: int | None  # from the queue's RedrivePolicy; None without a DLQ
    dead_letter_queue: str | None  # logical id of the DLQ


def sqs_event_sources(cfn: dict | None = None) -> list[SqsEventSource]:
    """The AWS::Lambda::EventSourceMapping resources that read SQS queues, with their queue's redrive."""
    cfn = cfn or translated()
    queues = resources_of_type(cfn, "AWS::SQS::Queue")
    found = []
    for mapping in resources_of_type(cfn, "AWS::Lambda::EventSourceMapping").values():
        props = mapping["Properties"]
        source = props.get("EventSourceArn")
        if not (isinstance(source, dict) and source.get("Fn::GetAtt", [None])[0] in queues):
            continue
        queue = source["Fn::GetAtt"][0]
        redrive = queues[queue]["Properties"].get("RedrivePolicy") or {}
        dlq = redrive.get("deadLetterTargetArn")
        found.append(SqsEventSource(
            function=props["FunctionName"]["Ref"],
            queue=queue,
            batch_size=int(props.get("BatchSize", 10)),
            batching_window_seconds=int(props.get("MaximumBatchingWindowInSeconds", 0)),
            report_batch_item_failures="ReportBatchItemFailures" in props.get("FunctionResponseTypes", []),
            max_receive_count=int(redrive["maxReceiveCount"]) if redrive else None,
            dead_letter_queue=dlq["Fn::GetAtt"][0] if isinstance(dlq, dict) else None,
        ))
    return found


@dataclass(frozen=True)
class Schedule:
    function: str  # logical id of the function
    every_seconds: int


_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours)\)")


def schedules(cfn: dict | None = None) -> list[Schedule]:
    """The AWS::Events::Rule resources with a `rate(...)` ScheduleExpression, and the function each one invokes."""
    cfn = cfn or translated()
    found = []
    for rule in resources_of_type(cfn, "AWS::Events::Rule").values():
        props = rule["Properties"]
        match = _RATE.fullmatch(props.get("ScheduleExpression", ""))
        if not match:
            continue
        seconds = int(match.group(1)) * (60 if match.group(2).startswith("minute") else 3600)
        found += [Schedule(t["Arn"]["Fn::GetAtt"][0], seconds) for t in props["Targets"]]
    return found


# ---------------------------------------------------------------- data resources
def create_tables(dynamodb_client, cfn: dict | None = None, prefix: str = "") -> dict[str, str]:
    """Create every AWS::DynamoDB::Table of the template; returns logical id -> table name."""
    cfn = cfn or translated()
    names = {}
    for logical_id, resource in resources_of_type(cfn, "AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        table_name = f"{prefix}{logical_id}"
        kwargs: dict[str, Any] = {
            "TableName": table_name,
            "AttributeDefinitions": props["AttributeDefinitions"],
            "KeySchema": props["KeySchema"],
            "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
        }
        if props.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
        dynamodb_client.create_table(**kwargs)
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb_client.update_time_to_live(
                TableName=table_name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
        names[logical_id] = table_name
    return names


def create_buckets(s3_client, cfn: dict | None = None, prefix: str = "") -> dict[str, str]:
    """Create every AWS::S3::Bucket of the template (private); returns logical id -> bucket name."""
    cfn = cfn or translated()
    names = {}
    for logical_id in resources_of_type(cfn, "AWS::S3::Bucket"):
        bucket = f"{prefix}{logical_id}".lower()
        s3_client.create_bucket(Bucket=bucket)
        names[logical_id] = bucket
    return names


def create_queues(sqs_client, cfn: dict | None = None, prefix: str = "") -> dict[str, dict[str, str]]:
    """Create every AWS::SQS::Queue (dead-letter queues first); returns logical id -> {url, arn, name}."""
    cfn = cfn or translated()
    queues = resources_of_type(cfn, "AWS::SQS::Queue")
    created: dict[str, dict[str, str]] = {}

    def depends_on(props: dict) -> str | None:
        target = props.get("RedrivePolicy", {}).get("deadLetterTargetArn")
        return target["Fn::GetAtt"][0] if isinstance(target, dict) else None

    order = sorted(queues, key=lambda q: depends_on(queues[q]["Properties"]) is not None)
    for logical_id in order:
        props = queues[logical_id]["Properties"]
        attributes = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod"):
            if key in props:
                attributes[key] = str(props[key])
        dlq = depends_on(props)
        if dlq:
            attributes["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": created[dlq]["arn"],
                    "maxReceiveCount": props["RedrivePolicy"]["maxReceiveCount"],
                }
            )
        name = f"{prefix}{logical_id}"
        url = sqs_client.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        arn = sqs_client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        created[logical_id] = {"url": url, "arn": arn, "name": name}
    return created


def create_secrets(secretsmanager_client: Any, cfn: dict[str, Any] | None = None, prefix: str = "") -> dict[str, str]:
    """Create every AWS::SecretsManager::Secret; returns logical id -> ARN (what Ref returns).

    A GenerateSecretString is generated here as Secrets Manager would at deploy (its length and
    character classes), so nothing secret is ever written in the template or the repository.
    """
    cfn = cfn or translated()
    arns = {}
    for logical_id, resource in resources_of_type(cfn, "AWS::SecretsManager::Secret").items():
        props = resource["Properties"]
        generate = props.get("GenerateSecretString")
        if generate is None:
            raise KeyError(f"{logical_id}: the local stack only creates secrets with GenerateSecretString")
        options = {key: generate[key] for key in ("PasswordLength", "ExcludePunctuation", "ExcludeCharacters",
                                                   "ExcludeNumbers", "ExcludeLowercase", "ExcludeUppercase",
                                                   "IncludeSpace", "RequireEachIncludedType") if key in generate}
        value = secretsmanager_client.get_random_password(**options)["RandomPassword"]
        created = secretsmanager_client.create_secret(Name=f"{prefix}{logical_id}", SecretString=value,
                                                      Description=props.get("Description", ""))
        arns[logical_id] = created["ARN"]
    return arns


def create_event_routing(events_client, queues: dict[str, dict[str, str]], cfn: dict | None = None,
                         prefix: str = "") -> dict[str, str]:
    """Create the buses and the rules whose targets are queues; returns logical id -> bus name."""
    cfn = cfn or translated()
    buses = {}
    for logical_id in resources_of_type(cfn, "AWS::Events::EventBus"):
        name = f"{prefix}{logical_id}"
        events_client.create_event_bus(Name=name)
        buses[logical_id] = name
    for logical_id, resource in resources_of_type(cfn, "AWS::Events::Rule").items():
        props = resource["Properties"]
        if "ScheduleExpression" in props:
            continue  # a timer, not a route: local/scheduler.py runs it (schedules())
        bus = buses[props["EventBusName"]["Ref"]]
        rule = f"{prefix}{logical_id}"
        events_client.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(props["EventPattern"]),
                               State=props.get("State", "ENABLED"))
        targets = []
        for t in props["Targets"]:
            target = {"Id": t["Id"], "Arn": queues[t["Arn"]["Fn::GetAtt"][0]]["arn"]}
            dlq = t.get("DeadLetterConfig", {}).get("Arn")
            if isinstance(dlq, dict) and dlq.get("Fn::GetAtt", [None])[0] in queues:
                # where EventBridge puts events it cannot deliver to the target
                target["DeadLetterConfig"] = {"Arn": queues[dlq["Fn::GetAtt"][0]]["arn"]}
            targets.append(target)
        events_client.put_targets(Rule=rule, EventBusName=bus, Targets=targets)
    return buses
