# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,dask,bench]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/eventcoder code examples/ --out outputs/examples

# headless Chromium opens a release's report.html in tests/test_report_browser.py (installed as root in CI)
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
		|| echo "chromium could not be installed: tests/test_report_browser.py will skip"

test: install chromium
	$(BIN)/eventcoder codebook lint codebooks/
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) outputs/examples
