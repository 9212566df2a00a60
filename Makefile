# The README's commands. Needs only Python 3.11+ and pip: uv is installed if missing.
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(PYTHON) -m uv
endif
CATALOG ?= sample
PYTEST_ARGS ?=

.PHONY: run test test-all bench uv sync

uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || \
	  $(PYTHON) -m pip install --quiet --user uv || \
	  $(PYTHON) -m pip install --quiet --user --break-system-packages uv

## The locked environment, with every module compiled to byte-code once at install: no gapcast process compiles
## statsmodels, scipy, pandas or prefect again (PYTHONDONTWRITEBYTECODE would otherwise make each process pay ~4 s).
sync: uv
	$(UV) sync --locked --compile-bytecode

## Set up and run the whole pipeline on the bundled synthetic sample.
run: sync
	$(UV) run gapcast run --catalog $(CATALOG)

## Set up and run the default test suite (a few minutes; no network, no browser needed).
test: sync
	$(UV) run pytest -m "not slow and not live" --durations=15 $(PYTEST_ARGS)

## Everything CI runs: the default suite and the slow tests (kill -9 at 22 points, readers through 20 runs,
## secrets through a Prefect run, gapcast serve, the dashboard in headless Chromium).
test-all: sync
	$(UV) run pytest -m "not live" --durations=15 $(PYTEST_ARGS)

## Wall time and peak memory of the pipeline on the real snapshot, cold and warm.
bench: sync
	$(UV) run python bench/pipeline.py
