# The README's two commands are `make run` and `make test`; everything they need is set up here.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 3000
SCOPES ?=
WEBSITE ?=
SUB ?=

# ---------------------------------------------------------------- SAM CLI (own virtualenv, targets at the end)
# aws-sam-cli pins its own boto3/cfn-lint/samtranslator; a separate venv keeps them off .venv.
SAM_VERSION := 1.170.0
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_STAMP := $(SAM_VENV)/.installed-$(SAM_VERSION)
SAM_BUILD_DIR ?= .aws-sam/build
# Offline, no telemetry, no real credentials: validate and build never call AWS.
SAM_ENV := SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
# `sam build` runs the python3.13 pip workflow, which needs a working `python3.13` on PATH.
# A pyenv shim answers "python3.13: command not found" unless 3.13 is the selected version,
# so look for the real interpreter: pyenv's versions/3.13*/bin first, then every python3.13 on PATH.
PY313 ?= $(shell for p in $$(pyenv root 2>/dev/null)/versions/3.13*/bin/python3.13 $$(which -a python3.13 2>/dev/null); do \
  "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1 && { echo "$$p"; break; }; done)
# A folder holding only a link to that interpreter, prepended to PATH for sam (nothing else on PATH
# changes). Not directly under $(SAM_VENV): python reads pyvenv.cfg one level above its own folder.
PY313_DIR := $(SAM_VENV)/py313/bin

.PHONY: openapi setup run test test-unit test-integration test-e2e test-infra lint token bench build clean

$(STAMP): requirements-dev.txt layers/dependencies/requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

setup: $(STAMP)

## run: the local stack (moto on loopback + API on http://127.0.0.1:$(PORT) + SQS poller + demo data)
run: $(STAMP)
	$(PY) -m local.stack --port $(PORT)

## token: a dev bearer token (all scopes unless SCOPES="online:read config:write"), printed last;
## WEBSITE=<id> binds it to one website (claim website_id), SUB=<subject> names the caller
token: $(STAMP)
	@$(PY) -m local.token --scopes "$(SCOPES)" $(if $(WEBSITE),--website-id "$(WEBSITE)") $(if $(SUB),--sub "$(SUB)")

# Debian's Chromium for the browser tests (tests/browser): `playwright install` cannot download
# browsers here, so Playwright drives this one. Installed only when missing (we run as root).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	export DEBIAN_FRONTEND=noninteractive; apt-get update && apt-get install -y chromium chromium-driver

## test: lint first (any finding fails the build), then every layer; pytest's exit code is kept
## (5 = no tests collected fails the build)
test: $(STAMP) $(SAM_STAMP) $(CHROMIUM)
	$(MAKE) --no-print-directory lint
	$(PY) -m pytest -p no:cacheprovider tests

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit
test-integration: $(STAMP)
	$(PY) -m pytest tests/integration
test-e2e: $(STAMP)
	$(PY) -m pytest tests/e2e
test-infra: $(STAMP) $(SAM_STAMP)
	$(PY) -m pytest tests/infrastructure
.PHONY: test-browser
test-browser: $(STAMP) $(CHROMIUM)
	$(PY) -m pytest tests/browser

## openapi: regenerate docs/openapi.json from the route declarations (a test compares them)
openapi: $(STAMP)
	PYTHONPATH=layers/shared/python $(PY) -m shopadmin.api.openapi > docs/openapi.json

## lint: ruff (pyproject.toml), mypy (strict on shopadmin and the handlers) and cfn-lint; fails on any finding
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/cfn-lint template.yaml

## bench: benchmarks that print ratios measured side by side (make test runs each once at tiny sizes: tests/bench)
bench: $(STAMP)
	$(PY) -m bench.scale
	$(PY) -m bench.mass_actions
	$(PY) -m bench.privacy_export
	$(PY) -m bench.moto_transactions

clean:
	rm -rf $(VENV) .local .aws-sam .pytest_cache

# ---------------------------------------------------------------- SAM CLI
.PHONY: sam validate build clean-sam

$(SAM_STAMP):
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check aws-sam-cli==$(SAM_VERSION)
	@rm -f $(SAM_VENV)/.installed-*
	@touch $(SAM_STAMP)

sam: $(SAM_STAMP)

## validate: sam validate --lint (SAM transform + cfn-lint), offline
validate: $(SAM_STAMP)
	$(SAM_ENV) $(SAM) validate --lint --template template.yaml

## build: sam build without a container (arm64 wheels for the dependencies layer come from PyPI)
build: $(SAM_STAMP)
	@if [ -z "$(PY313)" ] || ! "$(PY313)" -c 'import sys; assert sys.version_info[:2] == (3, 13)' >/dev/null 2>&1; then \
	  echo "make build: no working python3.13 found (tried pyenv's versions/3.13*/bin and python3.13 on PATH)." >&2; \
	  echo "sam build needs one for the python3.13 runtime: install it (e.g. pyenv install 3.13.0) or run make build PY313=/path/to/python3.13." >&2; \
	  exit 1; fi
	@mkdir -p $(PY313_DIR) && ln -sfn "$(PY313)" $(PY313_DIR)/python3.13
	PATH="$(CURDIR)/$(PY313_DIR):$$PATH" $(SAM_ENV) $(SAM) build --template template.yaml --build-dir $(SAM_BUILD_DIR)

clean-sam:
	rm -rf $(SAM_VENV)
