"""The SAM CLI itself on template.yaml: `sam validate --lint` and `sam build` (no container).

The CLI lives in its own virtualenv (.venv-sam, `make sam`; `make test` installs it first).
`sam build` downloads the dependencies layer's wheels from PyPI for arm64 and needs a real
python3.13 on PATH (the Makefile's `build` target finds one the same way as `python313()` here).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from local.template import ROOT, TEMPLATE

SAM = ROOT / ".venv-sam" / "bin" / "sam"
VALIDATE_TIMEOUT = 120
BUILD_TIMEOUT = 420
EM_AARCH64 = 183  # ELF e_machine of arm64
LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024  # function + all its layers


def sam_env(extra_path: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "SAM_CLI_TELEMETRY": "0",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        # any AWS API call would go nowhere: validate and build must not need one
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    env.pop("AWS_PROFILE", None)
    if extra_path:
        env["PATH"] = f"{extra_path}{os.pathsep}{env.get('PATH', '')}"
    return env


def python313() -> str | None:
    """A python3.13 that runs: $PY313, pyenv's versions/3.13*, then each python3.13 on PATH.

    A pyenv shim named python3.13 exists on PATH but fails unless 3.13 is the selected version,
    which is why every candidate is run, not just found.
    """
    candidates = [os.environ.get("PY313", "")]
    pyenv = shutil.which("pyenv")
    if pyenv:
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        candidates += sorted(glob.glob(f"{root}/versions/3.13*/bin/python3.13"))
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        candidates.append(os.path.join(directory, "python3.13"))
    for candidate in filter(None, candidates):
        if not os.access(candidate, os.X_OK):
            continue
        check = subprocess.run([candidate, "-c", "import sys; assert sys.version_info[:2] == (3, 13)"],
                               capture_output=True, timeout=30)
        if check.returncode == 0:
            return candidate
    return None


@pytest.fixture(scope="module")
def sam() -> Path:
    if not SAM.exists():
        pytest.fail(f"{SAM.relative_to(ROOT)} is missing: run `make sam` (make test does it first)")
    return SAM


def test_sam_validate_lint(sam):
    started = time.monotonic()
    result = subprocess.run([str(sam), "validate", "--lint", "--template", str(TEMPLATE)],
                            cwd=ROOT, env=sam_env(), capture_output=True, text=True, timeout=VALIDATE_TIMEOUT)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert "is a valid SAM Template" in result.stdout + result.stderr
    print(f"sam validate --lint: {time.monotonic() - started:.1f}s")


@pytest.fixture(scope="module")
def build_dir(sam, tmp_path_factory) -> Path:
    interpreter = python313()
    if interpreter is None:
        pytest.fail("no working python3.13 (tried $PY313, pyenv versions/3.13*, python3.13 on PATH); "
                    "sam build needs it for the python3.13 runtime")
    # a folder holding only python3.13, so nothing else on PATH changes for sam
    # (not inside a virtualenv folder: python reads a pyvenv.cfg one level above its own)
    tools = tmp_path_factory.mktemp("py313") / "bin"
    tools.mkdir()
    (tools / "python3.13").symlink_to(interpreter)
    out = tmp_path_factory.mktemp("sam") / "build"
    started = time.monotonic()
    result = subprocess.run(
        [str(sam), "build", "--template", str(TEMPLATE), "--build-dir", str(out)],
        cwd=ROOT, env=sam_env(tools), capture_output=True, text=True, timeout=BUILD_TIMEOUT,
    )
    assert result.returncode == 0, f"sam build failed:\n{result.stdout}\n{result.stderr}"
    assert "Build Succeeded" in result.stdout + result.stderr
    print(f"sam build: {time.monotonic() - started:.1f}s")
    return out


def built_template(build_dir: Path) -> dict:
    from samtranslator.yaml_helper import yaml_parse

    return yaml_parse((build_dir / "template.yaml").read_text())


def artifact(build_dir: Path, logical_id: str) -> Path:
    """The folder `sam package` would zip for a function or layer of the built template."""
    props = built_template(build_dir)["Resources"][logical_id]["Properties"]
    uri = props.get("ContentUri") or props.get("CodeUri")
    assert isinstance(uri, str), f"{logical_id}: {uri!r}"
    path = (build_dir / uri).resolve()
    assert path.is_dir(), path
    return path


def elf_machine(path: Path) -> int:
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF", path
    return int.from_bytes(header[18:20], "little" if header[5] == 1 else "big")


def test_shared_layer_artifact_holds_the_shopadmin_package(build_dir):
    layer = artifact(build_dir, "SharedLayer")
    assert (layer / "python" / "shopadmin" / "__init__.py").is_file()


def test_dependencies_layer_holds_powertools_and_arm64_pydantic_core(build_dir):
    python = artifact(build_dir, "DependenciesLayer") / "python"
    assert (python / "aws_lambda_powertools" / "__init__.py").is_file()
    assert (python / "aws_xray_sdk" / "__init__.py").is_file()  # the [tracer] extra: Tracer on every handler

    # the wheel pip picked was an aarch64 one for CPython 3.13 ...
    wheels = list(python.glob("pydantic_core-*.dist-info/WHEEL"))
    assert len(wheels) == 1, wheels
    tags = [line.split(":", 1)[1].strip() for line in wheels[0].read_text().splitlines()
            if line.startswith("Tag:")]
    assert tags and all(tag.startswith("cp313-cp313-") and tag.endswith("_aarch64") for tag in tags), tags

    # ... and the extension module in it really is arm64 code
    modules = list((python / "pydantic_core").glob("_pydantic_core*.so"))
    assert len(modules) == 1, modules
    assert modules[0].name.endswith(".cpython-313-aarch64-linux-gnu.so"), modules[0].name
    assert elf_machine(modules[0]) == EM_AARCH64


def test_no_native_code_for_another_architecture(build_dir):
    python = artifact(build_dir, "DependenciesLayer") / "python"
    wrong = [str(so.relative_to(python)) for so in python.rglob("*.so") if elf_machine(so) != EM_AARCH64]
    assert not wrong, wrong


def test_functions_fit_lambdas_unzipped_size_limit(build_dir):
    def size(folder: Path) -> int:
        return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())

    resources = built_template(build_dir)["Resources"]
    layers = sum(size(artifact(build_dir, layer)) for layer in ("DependenciesLayer", "SharedLayer"))
    for logical_id, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        code = artifact(build_dir, logical_id)
        handler_module = resource["Properties"].get("Handler", "app.handler").rsplit(".", 1)[0]
        assert (code / f"{handler_module}.py").is_file(), logical_id
        total = size(code) + layers
        assert total < LAMBDA_UNZIPPED_LIMIT, f"{logical_id}: {total / 2**20:.0f} MiB unzipped"


def test_console_artifact_holds_every_script_and_builds_its_page(build_dir):
    from shopadmin.api.routes.console import SCRIPTS, build_page

    static = artifact(build_dir, "ConsoleFunction") / "static"
    for name in ("index.html", "console.css", *(f"js/{script}" for script in SCRIPTS)):
        assert (static / name).is_file(), f"sam build left out functions/console/static/{name}"
    page = build_page(static)  # what the function does at its cold start
    assert page.html.count("<script") == 1 and "// js/main.js" in page.html
