# newsclean — the two set-up commands are `make run` and `make test`; both create .venv if missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv

# Quiet, offline Prefect: no telemetry, a project-local Prefect home.
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_HOME := $(CURDIR)/.prefect
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 90
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1

.PHONY: install run test bench clean-output

# uv comes from PyPI into .tools/ (a venv; where the venv module is missing, pip --target).
$(UV):
	@if $(PYTHON) -m venv $(TOOLS) >/dev/null 2>&1; then \
	  $(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv; \
	else \
	  rm -rf $(TOOLS) && $(PYTHON) -m pip install --quiet --disable-pip-version-check --target $(TOOLS)/site uv && \
	  mkdir -p $(TOOLS)/bin && ln -sf ../site/bin/uv $(UV) || \
	  { echo "make: cannot install uv: $(PYTHON) has neither venv nor pip (Debian: apt-get install python3-venv)" >&2; exit 1; }; \
	fi

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev --python $(PYTHON)
	touch $@

# Prefect's temporary server creates and migrates its database on its first start (~6 s on
# 2 cores): paid here, once per PREFECT_HOME, not by the first run.
$(PREFECT_HOME)/prefect.db: | $(VENV)/.installed
	$(VENV)/bin/python -m flows.local_server

install: $(VENV)/.installed $(PREFECT_HOME)/prefect.db


## Run the pipeline on seeds/ into output/.
run: install
	$(VENV)/bin/newsclean run seeds --out output

## Run the test suite: two processes, one test file each at a time (module fixtures such as a
## reference flow run are built once); `.venv/bin/pytest tests/...` alone runs in one process.
test: install
	$(VENV)/bin/pytest -n 2 --dist loadfile

bench: install
	$(VENV)/bin/python benchmarks/pipeline_bench.py

clean-output:
	find output -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
