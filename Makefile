# The two commands of the README: `make run` and `make test`. Each creates .venv and installs
# the pinned dependencies (requirements-dev.lock) the first time, and again when they change.
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test lint lock

run: $(INSTALLED)
	$(BIN)/nudgebot run

test: lint $(INSTALLED)
	$(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

$(INSTALLED): pyproject.toml requirements-dev.lock
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements-dev.lock -e '.[dev]'
	touch $@

# Re-pin every dependency after changing the ranges in pyproject.toml
# (the Docker image installs requirements.lock, development the -dev one).
lock: $(INSTALLED)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 -o requirements-dev.lock
