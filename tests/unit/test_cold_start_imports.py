"""Cold start (issue 24 item 5): a function's import loads nothing it can do without.

Powertools' OpenAPI document models take about 300 ms to import; request validation does not
need them. pydantic-settings (~45 ms) is gone; pycountry (~65 ms) loads at the first address
checked. Each function is imported in a fresh interpreter, as Lambda does, with its template
environment; CustomersFunction also validates a request, which must not load the docs models either.
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
NOT_AT_IMPORT = ["pycountry", "pydantic_settings"]
CFN = template.translated()
FUNCTIONS = sorted(template.functions(CFN))

_PROBE = r"""
import importlib.util, json, sys
module_file, code_dir, layers, request, watched = sys.argv[1:6]
watched = watched.split(",")
sys.path[:0] = [*layers.split(__import__("os").pathsep), code_dir]
spec = importlib.util.spec_from_file_location("app_under_test", module_file)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
loaded = {"import": [name for name in watched if name in sys.modules]}
if request != "-":
    from bench._support import LambdaContext
    answer = module.handler(json.loads(request), LambdaContext())
    loaded["status"] = answer["statusCode"]
    loaded["request"] = [name for name in watched if name in sys.modules]
print(json.dumps(loaded))
"""


def _probe(logical_id: str, request: dict | None = None, watched: tuple[str, ...] = (DOCS_MODELS,)) -> dict:
    spec = template.functions(CFN)[logical_id]
    layers = os.pathsep.join(str(p) for p in template.shared_layer_paths(CFN))
    argv = [str(spec.module_file), str(spec.code_dir), layers, json.dumps(request) if request else "-",
            ",".join(watched)]
    result = subprocess.run([sys.executable, "-c", _PROBE, *argv], env=_environment(CFN) | {"PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("logical_id", [f for f in FUNCTIONS if f != "ApiDocsFunction"])
def test_importing_a_function_does_not_load_the_openapi_document_models(logical_id: str) -> None:
    assert _probe(logical_id, watched=(DOCS_MODELS, *NOT_AT_IMPORT)) == {"import": []}


def test_validating_a_request_does_not_load_them_either() -> None:
    from bench._support import http_request

    request = http_request("PATCH", "/customers/c-1", ["customers:write"], body={"email": 5},
                           path_parameters={"customer_id": "c-1"}, route="/customers/{customer_id}",
                           headers={"if-match": '"1"'})
    assert _probe("CustomersFunction", request) == {"import": [], "status": 422, "request": []}


def test_the_first_address_checked_loads_the_country_list() -> None:
    """The probe sees pycountry load when a request needs it (a create with an address)."""
    from bench._support import http_request

    body = {"email": "ada@example.com", "first_name": "Ada", "last_name": "Lovelace", "website_id": "base",
            "addresses": [{"firstname": "Ada", "lastname": "Lovelace", "street": ["1 Main St"], "city": "Paris",
                           "postcode": "75001", "country_id": "UK", "telephone": "1"}]}
    request = http_request("POST", "/customers", ["customers:write"], body=body, route="/customers")
    answer = _probe("CustomersFunction", request, watched=("pycountry",))
    assert answer == {"import": [], "status": 422, "request": ["pycountry"]}


def test_the_docs_function_does_load_them() -> None:
    """The probe can see the models load: the docs function builds its OpenAPI document with them."""
    assert _probe("ApiDocsFunction") == {"import": [DOCS_MODELS]}


def test_every_model_of_the_layer_is_built_on_first_use() -> None:
    """Each pydantic model defers its build (models/base.py::Model), but the settings read at init."""
    import importlib
    import pkgutil

    import shopadmin
    from pydantic import BaseModel
    from shopadmin.models.base import Model
    from shopadmin.settings import Settings

    for info in pkgutil.walk_packages(shopadmin.__path__, "shopadmin."):
        importlib.import_module(info.name)
    stack, models = list(BaseModel.__subclasses__()), []
    while stack:
        model = stack.pop()
        stack.extend(model.__subclasses__())
        if model.__module__.startswith("shopadmin."):
            models.append(model)
    assert len(models) > 50
    assert [m.__qualname__ for m in models if not m.model_config.get("defer_build") and m is not Settings] == []
    assert sum(issubclass(m, Model) for m in models) > 50
