# Every target builds .venv on first use and whenever pyproject.toml changes.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench interop clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/aidaily run --config examples/demo.yaml --date 2026-02-03

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Every benchmark; figures and what they mean are in BENCHMARKS.md (about 40 minutes:
# push_crash alone is 20 kill -9 trials of ~45 s each).
BENCHES := pipeline worker_cost fetch_cost corpus dedupe llm telegram_push telegram_commands feishu_push server http_slowdrip push_crash editorial search chat_views telegram_taps push_cost cluster_why

bench: $(STAMP)
	set -e; for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python -m bench.$$b; done

# A protocol smoke test against a real server (llama.cpp's llama-server + SmolLM2-135M),
# built and cached under .cache/interop/ on first use; not part of `make test`. See bench/interop.py.
interop: $(STAMP)
	$(BIN)/python -m bench.interop

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
