"""Tracing: on in Lambda for every handler and every public dal method (no responses, no errors in
traces), off in tests and the local stack, where the X-Ray SDK is never even imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from shopadmin import observability

ROOT = Path(__file__).resolve().parents[2]
DAL_CLASSES = {
    "admin_events": "AdminEventBus", "credentials": "CredentialStore", "customer_accounts": "CustomerAccounts",
    "customer_commerce": "CustomerCommerce", "customer_deletion": "CustomerDeletionStore",
    "customer_store": "CustomerStore", "events_queue": "SqsEventQueue", "presence_store": "PresenceStore",
}
PROBE = """
import importlib, importlib.util, inspect, json, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("probe_app", Path("functions/customers/app.py"))
app = importlib.util.module_from_spec(spec); spec.loader.exec_module(app)
from shopadmin import observability
chain, handler = [], app.handler  # the decorators' own code objects keep their names
while handler is not None:
    chain.append(handler)
    handler = getattr(handler, "__wrapped__", None)
wrapped = {}
for module, name in json.loads(sys.argv[1]).items():
    cls = getattr(importlib.import_module(f"shopadmin.dal.{module}"), name)
    for attr, member in vars(cls).items():
        if inspect.isfunction(member) and not attr.startswith("_"):
            wrapped[f"{name}.{attr}"] = hasattr(member, "__wrapped__")
print(json.dumps({"xray_loaded": "aws_xray_sdk.core" in sys.modules, "tracer": observability.tracer is not None,
                  "handler_traced": any("capture_lambda_handler" in f.__code__.co_qualname for f in chain),
                  "methods": wrapped}))
"""


def probe(**env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_TRACE", "LAMBDA_TASK_ROOT"))}
    base.update(PYTHONPATH=os.pathsep.join([str(ROOT / "layers" / "shared" / "python"), str(ROOT)]),
                PRESENCE_TABLE="p", CUSTOMERS_TABLE="c", EXPORTS_BUCKET="b",
                CURSOR_SECRET_ARN="arn:aws:secretsmanager:us-east-1:1:secret:k", **env)
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(DAL_CLASSES)], cwd=ROOT, env=base,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_tracing_is_off_in_tests():
    assert observability.tracer is None and not observability.tracing_enabled()


@pytest.mark.parametrize(("env", "enabled"), [
    ({"LAMBDA_TASK_ROOT": "/var/task"}, True),
    ({"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true"}, False),
    ({"LAMBDA_TASK_ROOT": "/var/task", "AWS_SAM_LOCAL": "true"}, False),
    ({}, False),
])
def test_tracing_follows_powertools_rule(monkeypatch, env, enabled):
    for name in ("LAMBDA_TASK_ROOT", "POWERTOOLS_TRACE_DISABLED", "AWS_SAM_LOCAL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert observability.tracing_enabled() is enabled


def test_in_lambda_every_handler_and_public_dal_method_is_traced():
    seen = probe(LAMBDA_TASK_ROOT=str(ROOT), AWS_XRAY_CONTEXT_MISSING="IGNORE_ERROR")
    assert seen["tracer"] and seen["handler_traced"]
    assert len(seen["methods"]) >= 30 and all(seen["methods"].values()), seen["methods"]


def test_with_tracing_disabled_the_xray_sdk_is_never_imported():
    seen = probe(LAMBDA_TASK_ROOT=str(ROOT), POWERTOOLS_TRACE_DISABLED="true")
    assert not seen["xray_loaded"] and not seen["tracer"] and not seen["handler_traced"]
    assert not any(seen["methods"].values())


class FakeTracer:
    """Records how capture_method was asked to wrap (the real one needs an X-Ray segment to run)."""

    def __init__(self) -> None:
        self.options: list[tuple[str, bool | None, bool | None]] = []

    def capture_method(self, capture_response: bool | None = None, capture_error: bool | None = None):
        def wrap(method):
            self.options.append((method.__name__, capture_response, capture_error))
            return method

        return wrap


def test_public_methods_are_traced_without_responses_or_errors():
    class Store:
        def read(self) -> str:
            return "ada@example.com"

        def _helper(self) -> None: ...

        @staticmethod
        def build() -> None: ...

    fake = FakeTracer()
    observability.trace_public_methods(Store, fake)
    assert fake.options == [("read", False, False)]
    assert Store().read() == "ada@example.com"
