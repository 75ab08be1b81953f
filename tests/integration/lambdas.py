"""The template's functions run in-process (local.lambda_runtime), as the integration tests invoke them."""

from __future__ import annotations

import json

from local import template
from local.lambda_runtime import LambdaRuntime

RUNTIME = LambdaRuntime(template.functions())


def invoke_http(logical_id: str, event: dict) -> tuple[int, dict | None, dict]:
    response = RUNTIME.invoke(logical_id, event)
    body = response.get("body")
    parsed = json.loads(body) if body else None
    return response["statusCode"], parsed, response.get("headers", {})
