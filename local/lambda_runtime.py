"""Run the template's Lambda handlers in this process, the way Lambda would call them.

What Lambda gives a handler, and what this module reproduces:
- the layers on the import path (Lambda mounts them under /opt/python): the shared layer's
  `python/` folders go on sys.path; third-party packages come from the virtualenv;
- the function's code folder as its root, its `app.py` imported once per "execution
  environment" (a cold start), each under its own module name so the many `app.py` files do
  not shadow one another in sys.modules;
- the environment variables of template.yaml, with Refs resolved to the local resources,
  set BEFORE any handler is imported (the domain package reads settings at cold start);
- a context object (request id, remaining time, function name/ARN, memory);
- one invocation at a time per function: a Lambda execution environment never runs two
  events at once, and module-level state (loggers, metrics, caches) relies on that.

All functions share one process, so the environment is the union of every function's
variables (they agree on the shared ones; function-specific ones have distinct names).
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from local import template

ACCOUNT_ID = "123456789012"  # moto's default account: ARNs it returns carry this id


@dataclass
class LocalResources:
    """Names of the resources created in moto, by logical id (what Ref / GetAtt resolve to)."""

    tables: dict[str, str] = field(default_factory=dict)  # logical id -> table name
    queues: dict[str, dict[str, str]] = field(default_factory=dict)  # logical id -> {url, arn, name}
    buses: dict[str, str] = field(default_factory=dict)  # logical id -> bus name
    buckets: dict[str, str] = field(default_factory=dict)  # logical id -> bucket name
    secrets: dict[str, str] = field(default_factory=dict)  # logical id -> secret ARN

    def refs(self) -> dict[str, str]:
        # What CloudFormation's Ref returns: table name, queue URL, bus name, secret ARN.
        names = dict(self.tables)
        names.update({logical_id: q["url"] for logical_id, q in self.queues.items()})
        names.update(self.buses)
        names.update(self.buckets)
        names.update(self.secrets)  # Ref of a secret is its ARN
        return names

    def attributes(self) -> dict[tuple[str, str], str]:
        region = template.LOCAL_REGION
        found: dict[tuple[str, str], str] = {}
        for logical_id, name in self.tables.items():
            found[(logical_id, "Arn")] = f"arn:aws:dynamodb:{region}:{ACCOUNT_ID}:table/{name}"
        for logical_id, q in self.queues.items():
            found[(logical_id, "Arn")] = q["arn"]
            found[(logical_id, "QueueName")] = q["name"]
            found[(logical_id, "QueueUrl")] = q["url"]
        for logical_id, name in self.buses.items():
            found[(logical_id, "Arn")] = f"arn:aws:events:{region}:{ACCOUNT_ID}:event-bus/{name}"
            found[(logical_id, "Name")] = name
        for logical_id, name in self.buckets.items():
            found[(logical_id, "Arn")] = f"arn:aws:s3:::{name}"
        return found


def environment(specs: dict[str, template.FunctionSpec], resources: LocalResources,
                moto_endpoint: str) -> dict[str, str]:
    """The environment every handler sees: template variables resolved, plus the AWS wiring."""
    parameters = template.parameter_defaults()
    parameters.update({"AWS::Region": template.LOCAL_REGION, "AWS::AccountId": ACCOUNT_ID,
                       "AWS::StackName": template.LOCAL_STACK, "AWS::Partition": "aws",
                       "AWS::URLSuffix": "amazonaws.com"})
    refs, attributes = resources.refs(), resources.attributes()
    env: dict[str, str] = {}
    for spec in specs.values():
        for name, value in spec.environment.items():
            resolved = str(template.resolve(value, refs, parameters, attributes))
            if env.get(name, resolved) != resolved:
                raise ValueError(f"{name} differs between functions; the local stack shares one environment")
            env[name] = resolved
    env.update({
        # boto3/botocore (and PynamoDB, which builds its clients with botocore) send every
        # AWS call to moto when AWS_ENDPOINT_URL is set: no code path can reach real AWS.
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_DEFAULT_REGION": template.LOCAL_REGION,
        "AWS_REGION": template.LOCAL_REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        # No X-Ray daemon locally; Tracing: Active in the template only matters in AWS.
        "POWERTOOLS_TRACE_DISABLED": "true",
        # CloudWatch reads metrics from log lines (EMF); locally they would only bury the banner.
        "POWERTOOLS_METRICS_DISABLED": "true",
    })
    env.setdefault("POWERTOOLS_METRICS_NAMESPACE", "ShopAdmin")
    env.setdefault("POWERTOOLS_SERVICE_NAME", "shop-admin")
    return env


def apply_environment(env: dict[str, str]) -> None:
    # A developer's AWS profile must not leak into the local stack (it would be ignored by
    # moto, but could point boto3 at a real account if AWS_ENDPOINT_URL were ever lost).
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(name, None)
    os.environ.update(env)


class LambdaContext:
    """The attributes and method of Lambda's context object that handlers and Powertools use."""

    def __init__(self, spec: template.FunctionSpec):
        self.function_name = spec.logical_id
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:{template.LOCAL_REGION}:{ACCOUNT_ID}:function:{spec.logical_id}")
        self.memory_limit_in_mb = spec.memory_size
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{spec.logical_id}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + spec.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _module_name(logical_id: str) -> str:
    return f"_local_lambda_{logical_id}"


class LambdaRuntime:
    """Loads handlers lazily (first invocation = cold start) and invokes them one at a time."""

    def __init__(self, specs: dict[str, template.FunctionSpec], layer_paths: list | None = None):
        self.specs = specs
        for path in reversed(layer_paths if layer_paths is not None else template.shared_layer_paths()):
            if str(path) not in sys.path:
                sys.path.insert(0, str(path))
        self._handlers: dict[str, Callable] = {}
        self._load_lock = threading.Lock()
        self._invoke_locks = {name: threading.Lock() for name in specs}

    def handler(self, logical_id: str) -> Callable:
        with self._load_lock:
            if logical_id not in self._handlers:
                self._handlers[logical_id] = self._load(self.specs[logical_id])
            return self._handlers[logical_id]

    def _load(self, spec: template.FunctionSpec) -> Callable:
        module_file = spec.module_file
        if not module_file.is_file():
            raise FileNotFoundError(f"{spec.logical_id}: handler file {module_file} does not exist")
        name = _module_name(spec.logical_id)
        module_spec = importlib.util.spec_from_file_location(name, module_file)
        module: ModuleType = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        # The code folder is the function's root while its module loads, so `import helpers`
        # next to app.py works as in Lambda. It is removed again so that two functions' files
        # of the same name cannot shadow each other (import such helpers at module level).
        sys.path.insert(0, str(spec.code_dir))
        try:
            module_spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        finally:
            sys.path.remove(str(spec.code_dir))
        return getattr(module, spec.handler.rsplit(".", 1)[1])

    def warm(self) -> dict[str, str]:
        """Cold-start every function now; returns logical id -> error for those that failed."""
        errors = {}
        for logical_id in self.specs:
            try:
                self.handler(logical_id)
            except Exception as error:  # reported by the caller; the stack still serves the rest
                errors[logical_id] = f"{type(error).__name__}: {error}"
        return errors

    def invoke(self, logical_id: str, event: dict) -> Any:
        """Call the handler like Lambda's synchronous Invoke; exceptions propagate to the caller."""
        handler = self.handler(logical_id)
        spec = self.specs[logical_id]
        with self._invoke_locks[logical_id]:
            context = LambdaContext(spec)
            started = time.monotonic()
            result = handler(event, context)
            elapsed = time.monotonic() - started
        if elapsed > spec.timeout:
            # Lambda would have killed this invocation; locally we only say so.
            print(f"[lambda] {logical_id} ran {elapsed:.1f}s, over its {spec.timeout}s timeout",
                  file=sys.stderr, flush=True)
        return result
