"""`make test` lints first (ruff, mypy, cfn-lint) and the lint configuration catches what it should."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from local.template import ROOT

BIN = Path(sys.executable).parent
PYPROJECT = ROOT / "pyproject.toml"


def dry_run(target: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(["make", "-n", "--no-print-directory", target], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def position(lines: list[str], needle: str) -> int:
    found = [i for i, line in enumerate(lines) if needle in line]
    assert found, f"{needle!r} not in:\n" + "\n".join(lines)
    return found[0]


def test_make_test_runs_ruff_mypy_and_cfn_lint_before_pytest():
    lines = dry_run("test")
    pytest_at = position(lines, "-m pytest")
    for tool in ("ruff check .", "bin/mypy", "cfn-lint template.yaml"):
        assert position(lines, tool) < pytest_at, tool


def test_ruff_config_reports_a_long_line(tmp_path):
    module = tmp_path / "long.py"
    module.write_text("X = " + repr("x" * 130) + "\n")
    result = subprocess.run([str(BIN / "ruff"), "check", "--config", str(PYPROJECT), "--no-cache", str(module)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "E501" in result.stdout, result.stdout + result.stderr


def test_mypy_is_strict_on_shopadmin(tmp_path):
    """An unannotated function in a shopadmin module is an error (strict), not a pass."""
    package = tmp_path / "shopadmin"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "loose.py").write_text("def double(value):\n    return value * 2\n")
    result = subprocess.run([str(BIN / "mypy"), "--config-file", str(PYPROJECT), "--no-incremental",
                             str(package / "loose.py")], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "no-untyped-def" in result.stdout, result.stdout + result.stderr
