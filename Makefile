# GeoPlanet: `make run` serves the site and a worker; `make test` runs every test. Both prepare what is missing.
SHELL := /bin/bash
PY := .venv/bin/python

.PHONY: run test lint bench prepare

prepare:
	@bash scripts/prepare.sh

run: prepare
	@bash scripts/run.sh

test: prepare
	@bash scripts/test.sh $(PYTEST_ARGS)

lint: prepare
	.venv/bin/ruff check .
	.venv/bin/mypy .

bench: prepare
	$(PY) bench/run_all.py
