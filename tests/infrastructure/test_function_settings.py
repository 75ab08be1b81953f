"""Each function loads with exactly the environment template.yaml gives it, and fails at init,
naming the variable, when one it requires is missing (settings.require at module import)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from local import template
from local.template import ROOT

# Loads each function's app.py in turn with only the given environment; prints logical id -> error or "".
LOADER = """
import importlib.util, json, os, sys
from shopadmin.settings import get_settings
base = dict(os.environ)
results = {}
for logical_id, module_file, env in json.loads(sys.stdin.read()):
    os.environ.clear(); os.environ.update(base); os.environ.update(env)
    get_settings.cache_clear()
    spec = importlib.util.spec_from_file_location(f"app_{logical_id}_{len(results)}", module_file)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        results[f"{logical_id}#{len(results)}"] = ""
    except Exception as error:
        results[f"{logical_id}#{len(results)}"] = f"{type(error).__name__}: {error}"
print(json.dumps(results))
"""
PLACEHOLDER = {"ONLINE_SHARD_COUNT": "4", "POWERTOOLS_LOG_LEVEL": "INFO"}
OPTIONAL_SETTINGS = ("EVENTS_QUEUE_URL", "IDEMPOTENCY_TABLE", "EVENT_BUS_NAME", "CURSOR_SECRET_ARN", "EXPORTS_BUCKET")
NO_SETTINGS = {"ConsoleFunction", "ApiDocsFunction"}  # static page and OpenAPI document: no table, no queue


def resolved(environment: dict) -> dict[str, str]:
    """Template values, with every Ref replaced by a placeholder of the right shape."""
    return {name: value if isinstance(value, str) else PLACEHOLDER.get(name, f"local-{name.lower()}")
            for name, value in environment.items()}


def load_all(cases: list[tuple[str, str, dict[str, str]]]) -> list[str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("POWERTOOLS_", "PRESENCE_", "CUSTOMERS_", "IDEMPOTENCY_", "EVENT", "ONLINE_"))}
    base.update(POWERTOOLS_TRACE_DISABLED="true", POWERTOOLS_METRICS_DISABLED="true",
                PYTHONPATH=os.pathsep.join([str(ROOT / "layers" / "shared" / "python"), str(ROOT)]))
    result = subprocess.run([sys.executable, "-c", LOADER], input=json.dumps(cases), cwd=ROOT, env=base,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return list(json.loads(result.stdout.strip().splitlines()[-1]).values())


@pytest.fixture(scope="module")
def functions() -> dict[str, template.FunctionSpec]:
    return template.functions()


def test_every_function_loads_with_its_template_environment(functions):
    cases = [(name, str(spec.module_file), resolved(spec.environment)) for name, spec in functions.items()]
    errors = load_all(cases)
    assert errors == [""] * len(cases), dict(zip(functions, errors, strict=True))


def test_a_function_missing_a_variable_it_needs_fails_at_init_naming_it(functions):
    cases, expected = [], []
    for name, spec in functions.items():
        env = resolved(spec.environment)
        tables = [] if name in NO_SETTINGS else ["CUSTOMERS_TABLE"]
        for variable in [v for v in OPTIONAL_SETTINGS if v in env] + tables:
            cases.append((name, str(spec.module_file), {k: v for k, v in env.items() if k != variable}))
            expected.append((name, variable))
    assert set(functions) > NO_SETTINGS
    assert {"StorefrontEventsFunction", "CustomerCommerceFunction", "CustomerCredentialsFunction",
            "CustomerDeletionFunction"} <= {name for name, variable in expected if variable != "CUSTOMERS_TABLE"}
    errors = load_all(cases)
    for (name, variable), error in zip(expected, errors, strict=True):
        assert error.startswith("MisconfiguredFunction") and variable in error, (name, variable, error)
