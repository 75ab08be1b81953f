# The README's two commands are `make run` and `make test`; everything they need is set up here.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 3000
SCOPES ?=

.PHONY: setup run test test-unit test-integration test-e2e test-infra lint token bench build clean

$(STAMP): requirements-dev.txt layers/dependencies/requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

setup: $(STAMP)

## run: the local stack (moto on loopback + API on http://127.0.0.1:$(PORT) + SQS poller + demo data)
run: $(STAMP)
	$(PY) -m local.stack --port $(PORT)

## token: a dev bearer token (all scopes unless SCOPES="online:read config:write"), printed last
token: $(STAMP)
	@$(PY) -m local.token --scopes "$(SCOPES)"

## test: every layer; pytest's exit code is kept (5 = no tests collected fails the build)
test: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider tests

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit
test-integration: $(STAMP)
	$(PY) -m pytest tests/integration
test-e2e: $(STAMP)
	$(PY) -m pytest tests/e2e
test-infra: $(STAMP)
	$(PY) -m pytest tests/infrastructure

lint: $(STAMP)
	$(VENV)/bin/cfn-lint template.yaml

## bench: benchmarks that print ratios measured side by side (not part of make test)
bench: $(STAMP)
	$(PY) -m bench.ingest_batch
	$(PY) -m bench.online_list

clean:
	rm -rf $(VENV) .local .aws-sam .pytest_cache
