"""samconfig.toml: the `sam deploy --guided` defaults are sane and hold no secret."""

from __future__ import annotations

import re
import shlex
import tomllib

import pytest

from local.template import ROOT, resources_of_type, translated

SAMCONFIG = ROOT / "samconfig.toml"
SECRET_PATTERNS = [
    re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"),  # AWS access key ids
    re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"),  # AWS secret keys
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\."),  # a JWT
    re.compile(r"(?i)(secret|password|passwd|token|credential|private[_-]?key)\s*[=:]"),
]


@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads(SAMCONFIG.read_text())


@pytest.fixture(scope="module")
def deploy(config) -> dict:
    return config["default"]["deploy"]["parameters"]


def overrides(deploy: dict) -> dict[str, str]:
    pairs = [item.split("=", 1) for item in shlex.split(deploy.get("parameter_overrides", ""))]
    return dict(pairs)


def test_deploy_defaults(config, deploy):
    stack = config["default"].get("global", {}).get("parameters", {}).get("stack_name") or deploy.get("stack_name")
    assert stack == "shop-admin"
    capabilities = deploy["capabilities"]
    assert (capabilities.split() if isinstance(capabilities, str) else capabilities) == ["CAPABILITY_IAM"]
    assert deploy["resolve_s3"] is True
    assert deploy["confirm_changeset"] is True


def test_capability_iam_is_enough():
    """Named IAM resources would need CAPABILITY_NAMED_IAM, nested applications CAPABILITY_AUTO_EXPAND."""
    cfn = translated()
    for name, role in resources_of_type(cfn, "AWS::IAM::Role").items():
        assert "RoleName" not in role["Properties"], name
    assert not resources_of_type(cfn, "AWS::CloudFormation::Stack")


def test_parameter_overrides_name_template_parameters_only(deploy):
    values = overrides(deploy)
    parameters = translated()["Parameters"]
    assert {"JwtIssuer", "JwtAudience"} <= set(values)
    assert set(values) <= set(parameters)
    for name in values:
        assert not parameters[name].get("NoEcho"), f"{name} is a secret: pass it at deploy time, not here"


def test_jwt_issuer_override_is_an_https_url(deploy):
    """Placeholders in the repository; a deployer's real issuer and client ids are public ids too."""
    assert re.fullmatch(r"https://[^\s\"']+", overrides(deploy)["JwtIssuer"])


def test_no_secret_in_samconfig():
    text = SAMCONFIG.read_text()
    found = [pattern.pattern for pattern in SECRET_PATTERNS if pattern.search(text)]
    assert not found, found
