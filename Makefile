# Two commands: `make run` and `make test`. Both build the virtualenv on first use.
#
# The virtualenv is installed from the lock files in requirements/ with every hash checked, so
# every machine, CI run and image gets the same packages (pip.txt: pip itself; runtime.txt: what
# the bot runs on; dev.txt: runtime.txt plus the test and lint tools). pyproject.toml keeps the
# ranges; `make lock` compiles the lock files from them (see the lock target).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PIP_INSTALL = $(1)/python -m pip install -q --disable-pip-version-check --require-hashes

.PHONY: run test check lint typecheck imports unit fast locales bench messages lock hooks clean

# Reinstalls only when a lock file (or pyproject.toml: the editable install) changed. The project
# itself goes in last, editable, with the locked setuptools and nothing else (PYTHONWARNINGS hides
# setuptools' generic notice that comes with every editable install); `pip check` then fails when
# pyproject.toml asks for something the lock files do not hold (a range changed without make lock).
$(STAMP): requirements/pip.txt requirements/dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(call PIP_INSTALL,$(BIN)) --no-deps -r requirements/pip.txt
	$(call PIP_INSTALL,$(BIN)) -r requirements/dev.txt
	PYTHONWARNINGS=ignore $(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
		echo "requirements/ does not satisfy pyproject.toml: run make lock" >&2; exit 1; }
	touch $(STAMP)

locales: $(STAMP)
	$(BIN)/pybabel compile -d locales -D messages

run: $(STAMP) locales
	@$(BIN)/python -m bot

lint: $(STAMP)
	$(BIN)/ruff check bot services tests bench tools
	$(BIN)/ruff format --check bot services tests bench tools

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

# The test runs keep compiled modules (pytest's rewritten test files among them) in __pycache__,
# even where the environment sets PYTHONDONTWRITEBYTECODE: recompiling them costs each worker
# ~5 s before its first test.
unit fast: export PYTHONDONTWRITEBYTECODE =

# pytest-xdist with work stealing, so the long tests (sorted first) are shared out. The whole
# suite runs three workers on this 2-core machine: its long tests mostly wait (timers, restarts,
# local HTTP), so a third keeps the cores busy; the quick subset is CPU-bound and runs two.
# WORKERS=0 runs in one process (for -x or pdb); PYTEST_ARGS passes more.
WORKERS ?= 3
FAST_WORKERS ?= 2
xdist = $(if $(filter 0,$(1)),,-n $(1) --dist worksteal)
XDIST = $(call xdist,$(WORKERS))
unit: $(STAMP) locales
	$(BIN)/pytest -q $(XDIST) --durations=5 $(PYTEST_ARGS)

test: lint typecheck imports unit

# The quick loop for every change: lint, types, layers and the tests that need no bot process
# and are not marked slow (`make test` runs everything). PYTEST_ARGS passes more, e.g. `-x`.
PYTEST_ARGS ?=
fast: $(STAMP) locales
	$(BIN)/pytest -q $(call xdist,$(FAST_WORKERS)) -m "not e2e and not slow" $(PYTEST_ARGS)

check: lint typecheck imports fast

# The same lint, format and type steps before every commit (.pre-commit-config.yaml).
hooks: $(STAMP)
	$(BIN)/pre-commit install

bench: $(STAMP) locales
	$(BIN)/python bench/burst.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/estimate.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/grading.py
	$(BIN)/python bench/deadline.py
	$(BIN)/python bench/flood.py
	$(BIN)/python bench/symbols.py
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/alerts.py
	$(BIN)/python bench/dryrun.py
	$(BIN)/python bench/derivatives.py
	$(BIN)/python bench/fanout.py
	@if [ -n "$$REDIS_URL" ] && [ -n "$$DATABASE_URL" ]; then $(BIN)/python bench/replicas.py; \
	else echo '{"bench": "replicas", "skipped": "needs REDIS_URL and a PostgreSQL DATABASE_URL"}'; fi

# Regenerate the template and merge it into the catalogs after changing user-visible strings.
messages: $(STAMP)
	$(BIN)/pybabel extract -k _ -k N_ --no-location --sort-output -o locales/messages.pot bot services
	$(BIN)/pybabel update -d locales -D messages -i locales/messages.pot --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python tools/id_translations.py

# Recompile the lock files after changing a range in pyproject.toml (or requirements/*.in).
# Pins already in a lock file are kept where the ranges allow; `make lock UPGRADE=1` moves
# everything to the newest allowed versions. pip-tools runs in its own venv (pinned by
# requirements/tools.txt), never in the project's.
LOCK_VENV := $(VENV)/lock-tools
COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile -q --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)

lock:
	test -x $(LOCK_VENV)/bin/python || $(PYTHON) -m venv $(LOCK_VENV)
	$(call PIP_INSTALL,$(LOCK_VENV)/bin) --no-deps -r requirements/pip.txt
	$(call PIP_INSTALL,$(LOCK_VENV)/bin) -r requirements/tools.txt
	$(COMPILE) -o requirements/pip.txt requirements/pip.in
	$(COMPILE) -c requirements/pip.txt -o requirements/tools.txt requirements/tools.in
	$(COMPILE) --all-build-deps -o requirements/runtime.txt pyproject.toml
	$(COMPILE) --all-build-deps --extra dev -c requirements/runtime.txt -o requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
