# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,dask,bench]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/eventcoder code examples/ --out outputs/examples

test: install
	$(BIN)/eventcoder codebook lint codebooks/
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) outputs/examples
