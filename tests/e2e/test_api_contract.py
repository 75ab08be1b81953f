"""Schemathesis against the running local stack: every operation of /openapi.json, bounded examples.

Zero 5xx and zero responses that break the documented schema. Two checks are left out on
purpose: `positive_data_acceptance` (opaque cursors, versions and ids of things that do not
exist cannot be generated from a schema, so a 404/409/422 on them is right) and
`unsupported_method` (API Gateway HTTP API answers 404, not 405, for a method without a route;
the local gateway keeps that behaviour).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from local import token as dev_token
from tests.e2e.stack import start_stack, stop

EXAMPLES = os.environ.get("SCHEMATHESIS_EXAMPLES", "20")


@pytest.fixture(scope="module")
def own_stack():
    """A stack of its own: the fuzzer saves config, deletes and signs out customers at random."""
    stack = start_stack()
    yield stack
    stop(stack.process)


def test_schemathesis_finds_no_server_error_and_no_schema_violation(own_stack):
    stack = own_stack
    bearer = dev_token.mint(scopes=dev_token.all_scopes())
    schemathesis = Path(sys.executable).parent / "schemathesis"
    result = subprocess.run(
        [str(schemathesis), "run", f"{stack.api}/openapi.json",
         "--header", f"Authorization: Bearer {bearer}",
         "--checks", "all", "--exclude-checks", "positive_data_acceptance,unsupported_method",
         "--max-examples", EXAMPLES, "--seed", "20261123", "--no-color", "--request-timeout", "20"],
        capture_output=True, text=True, timeout=420,
    )
    output = result.stdout + result.stderr
    summary = re.search(r"(\d+) generated", output)
    print(f"schemathesis: {summary.group(0) if summary else 'no summary'}")  # shown with -s / in CI logs
    assert result.returncode == 0, output[-6000:]
    assert re.search(r"Tested: (\d+)", output) and int(re.search(r"Tested: (\d+)", output).group(1)) >= 16
