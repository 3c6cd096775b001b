# Two commands: `make run` and `make test`. Both build the virtualenv on first use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck imports unit locales bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
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

unit: $(STAMP) locales
	$(BIN)/pytest -q

test: lint typecheck imports unit

bench: $(STAMP) locales
	$(BIN)/python bench/burst.py
	$(BIN)/python bench/render.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/grading.py
	$(BIN)/python bench/deadline.py

# Regenerate the template and merge it into the catalogs after changing user-visible strings.
messages: $(STAMP)
	$(BIN)/pybabel extract -k _ -k N_ --no-location --sort-output -o locales/messages.pot bot services
	$(BIN)/pybabel update -d locales -D messages -i locales/messages.pot --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python tools/id_translations.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
