# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_PROGRESS_BARS := 1

.PHONY: install run serve test test-llm llm lint bench eval eval-llm chromium ocr node-readers warmup clean

# Re-install only when the dependency list changes.
$(BIN)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

# Exports the ONNX model once (cached in the data dir) so the first command is fast.
warmup: install
	$(BIN)/missionrag warmup

run: warmup ocr
	$(BIN)/missionrag ingest corpus/ || echo "some files failed to ingest (listed above); serving the rest"
	$(BIN)/missionrag serve

serve: install
	$(BIN)/missionrag serve

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null \
	  || echo "warning: could not install chromium; browser tests will be skipped"; }

# Scanned PDFs go through Debian's Tesseract (ingest/ocr.py): English, Danish and German.
OCR_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-dan tesseract-ocr-deu
ocr:
	@missing=$$(for p in $(OCR_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || printf "%s " $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian's Tesseract for scanned PDFs: $$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 $$missing) >/dev/null \
	  || echo "warning: could not install $$missing; scanned PDFs will be refused and the OCR tests skipped"; \
	fi

# Independent readers of the quiz exports (tests/test_exports_readers.py): gift-pegjs from npm,
# pinned by tests/node/package-lock.json, installed into tests/node/node_modules (not committed).
node-readers: tests/node/node_modules/.package-lock.json
tests/node/node_modules/.package-lock.json: tests/node/package-lock.json
	@command -v npm >/dev/null 2>&1 && (cd tests/node && npm ci --no-audit --no-fund --silent) \
	  || echo "warning: could not install gift-pegjs with npm; the GIFT reader test will be skipped"

lint: install
	$(BIN)/ruff check src tests bench evals/missionrag_evals
	$(BIN)/ruff format --check src tests bench evals/missionrag_evals
	$(BIN)/mypy

# The type check is in the gate: out of it, eight errors piled up unseen.
test: install chromium ocr node-readers warmup
	$(BIN)/ruff check src tests bench evals/missionrag_evals
	$(BIN)/ruff format --check src tests bench evals/missionrag_evals
	$(BIN)/mypy
	$(BIN)/pytest -q -m "not llm"

# The LLM paths against a real model: llama.cpp's llama-server with SmolLM2-135M. The first run
# builds llama-server into $${XDG_CACHE_HOME:-~/.cache}/missionrag (minutes, timings in the
# README); later runs reuse it. Apart from `test` so that a fresh `make test` stays quick.
test-llm: install warmup
	$(BIN)/missionrag llm build
	$(BIN)/pytest -q -m llm

# Serves the bundled model on http://127.0.0.1:8080/v1 (building it first if needed).
llm: install
	$(BIN)/missionrag llm serve

bench: install warmup
	$(BIN)/python bench/run.py

eval: install warmup
	$(BIN)/missionrag ingest corpus/
	$(BIN)/missionrag eval all

# ask and check through the bundled model (evals/reports/ask_llm.md, check_llm.md).
eval-llm: install warmup
	$(BIN)/missionrag ingest corpus/
	$(BIN)/missionrag llm eval ask check

clean:
	rm -rf $(VENV) .missionrag .pytest_cache
