"""Every benchmark runs once at tiny sizes, so a benchmark that no longer runs fails CI.

Nothing here asserts a timing (ratios are for `make bench` to print); the benchmarks check
their own results (e.g. the summary must count every seeded session, no record may fail).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

TINY_RUNS = {
    "bench.mass_actions": ["--customers", "5"],
    "bench.moto_transactions": ["--repeat", "1", "--small", "10", "--large", "50"],
    "bench.privacy_export": ["--orders", "20"],
    # online_list, ingest_batch, cold_start and local_burst, each once, and the goals table
    "bench.scale": ["--tiny"],
}


@pytest.mark.parametrize("module", sorted(TINY_RUNS))
def test_benchmark_runs_at_tiny_size(module: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")}
    result = subprocess.run([sys.executable, "-m", module, *TINY_RUNS[module]], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "ratio" in result.stdout
