# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo.qualcode
DEMO_SURVEY := demo-survey.qualcode

.PHONY: demo lint test test-slow bench clean

# Reinstall only when the package metadata changed (the editable install tracks code).
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Builds the demo projects once (kept afterwards, so coding done in them survives), then opens one.
demo: $(STAMP)
	$(BIN)/qualcode demo $(DEMO) --keep
	$(BIN)/qualcode demo $(DEMO_SURVEY) --corpus survey --keep
	$(BIN)/qualcode code $(DEMO) --coder alice

# Style (ruff), types (mypy) and the layer contracts (import-linter); .ci/run runs it before the tests.
lint: $(STAMP)
	$(BIN)/ruff check qualcode tests benchmarks tools
	$(BIN)/mypy qualcode
	$(BIN)/lint-imports

test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(DEMO) $(DEMO_SURVEY) $(DEMO)-wal $(DEMO)-shm build *.egg-info
