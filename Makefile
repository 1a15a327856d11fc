# Set-up contract: `make demo` and `make test` from a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/auditor --config config/auditor.yaml demo

test: $(STAMP)
	@# The web app's browser tests need chromium and its driver; they skip, saying so, where neither can be had.
	-@command -v chromedriver >/dev/null || (command -v apt-get >/dev/null && (apt-get install -y -q chromium chromium-driver || (apt-get update -q && apt-get install -y -q chromium chromium-driver)) >/dev/null 2>&1) || true
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check auditor connectors reports tests benchmarks
	$(BIN)/mypy auditor connectors reports
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var config/sample/var
