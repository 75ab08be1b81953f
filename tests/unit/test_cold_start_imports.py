"""Cold start (issue 24): a function's import and requests never load what only the docs need.

Powertools' OpenAPI document models take about 300 ms to import; request validation does not
need them. Each function is imported in a fresh interpreter, as Lambda does, with its template
environment; CustomersFunction also validates a request, which must not load them either.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cold_start import _environment
from local import template

ROOT = Path(__file__).resolve().parents[2]
DOCS_MODELS = "aws_lambda_powertools.event_handler.openapi.models"
CFN = template.translated()
FUNCTIONS = sorted(template.functions(CFN))

_PROBE = r"""
import importlib.util, json, sys
module_file, code_dir, layers, request, watched = sys.argv[1:6]
sys.path[:0] = [*layers.split(__import__("os").pathsep), code_dir]
spec = importlib.util.spec_from_file_location("app_under_test", module_file)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
loaded = {"import": watched in sys.modules}
if request != "-":
    from bench._support import LambdaContext
    answer = module.handler(json.loads(request), LambdaContext())
    loaded["status"] = answer["statusCode"]
    loaded["request"] = watched in sys.modules
print(json.dumps(loaded))
"""


def _probe(logical_id: str, request: dict | None = None) -> dict:
    spec = template.functions(CFN)[logical_id]
    layers = os.pathsep.join(str(p) for p in template.shared_layer_paths(CFN))
    argv = [str(spec.module_file), str(spec.code_dir), layers, json.dumps(request) if request else "-", DOCS_MODELS]
    result = subprocess.run([sys.executable, "-c", _PROBE, *argv], env=_environment(CFN) | {"PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("logical_id", [f for f in FUNCTIONS if f != "ApiDocsFunction"])
def test_importing_a_function_does_not_load_the_openapi_document_models(logical_id: str) -> None:
    assert _probe(logical_id) == {"import": False}


def test_validating_a_request_does_not_load_them_either() -> None:
    from bench._support import http_request

    request = http_request("PATCH", "/customers/c-1", ["customers:write"], body={"email": 5},
                           path_parameters={"customer_id": "c-1"}, route="/customers/{customer_id}",
                           headers={"if-match": '"1"'})
    assert _probe("CustomersFunction", request) == {"import": False, "status": 422, "request": False}


def test_the_docs_function_does_load_them() -> None:
    """The probe can see the models load: the docs function builds its OpenAPI document with them."""
    assert _probe("ApiDocsFunction") == {"import": True}
