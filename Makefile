# Every target builds .venv on first use and whenever pyproject.toml changes.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/aidaily run --config examples/demo.yaml --date 2026-02-03

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Every benchmark; figures and what they mean are in BENCHMARKS.md (about 8 minutes).
BENCHES := pipeline corpus dedupe llm telegram_push telegram_commands feishu_push server editorial

bench: $(STAMP)
	set -e; for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python -m bench.$$b; done

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
