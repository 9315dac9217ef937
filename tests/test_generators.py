"""The transformers generator with the packaged SmolLM2: conversion cache, streaming, stopping, errors."""

from __future__ import annotations

import json
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from assistant.models import generators  # noqa: E402
from assistant.models.generators import PACKAGED_GENERATOR, TransformersGenerator  # noqa: E402
from assistant.schema import AssistantError  # noqa: E402

QUESTION = [
    {"role": "system", "content": "Answer in one short sentence."},
    {"role": "user", "content": "Which city is the capital of France?"},
]
LONG_TASK = [{"role": "user", "content": "Count from 1 to 500, one number per line."}]


@pytest.fixture(scope="module")
def generator(model_cache: Path) -> TransformersGenerator:
    """Converts the packaged GGUF on first use (about 30 s), then loads the cached checkpoint."""
    return TransformersGenerator(PACKAGED_GENERATOR, cache_dir=model_cache, max_new_tokens=24)


@pytest.mark.slow
def test_packaged_model_is_converted_once_into_the_cache(generator, model_cache, monkeypatch):
    checkpoint = model_cache / PACKAGED_GENERATOR
    assert (checkpoint / "model.safetensors").is_file() and (checkpoint / "tokenizer.json").is_file()
    assert "quantization_config" not in json.loads((checkpoint / "config.json").read_text())
    assert not [path for path in model_cache.iterdir() if path.name.startswith(".")]  # no staging left

    def convert_again(*arguments):
        raise AssertionError("the cached checkpoint should have been reused")

    monkeypatch.setattr(generators, "_convert_gguf", convert_again)
    reloaded = TransformersGenerator(PACKAGED_GENERATOR, cache_dir=model_cache, max_new_tokens=8)
    assert reloaded.name == PACKAGED_GENERATOR


def test_glibc_is_limited_to_two_malloc_arenas():
    assert generators.cap_malloc_arenas() is True  # mallopt accepted it: this is a glibc system


@pytest.mark.slow
def test_loading_a_model_caps_the_malloc_arenas(model_cache, monkeypatch):
    """Without the cap a server's memory grew with every request (glibc arena fragmentation)."""
    capped = []
    monkeypatch.setattr(generators, "cap_malloc_arenas", lambda: capped.append(True))
    TransformersGenerator(PACKAGED_GENERATOR, cache_dir=model_cache, max_new_tokens=4)
    assert capped == [True]


@pytest.mark.slow
def test_requests_on_new_threads_share_two_malloc_arenas(model_cache):
    """The bounded soak: 12 requests on new threads, as the server runs them. Uncapped, glibc made
    13 arenas for them, and a 200-request run's RSS grew 1752 -> 2017 MB; capped, 2 (flat RSS)."""
    import subprocess
    import sys

    from assistant.environment import offline_environment

    def arenas(mode: str) -> int:
        script = Path(__file__).with_name("arena_count.py")
        done = subprocess.run([sys.executable, str(script), str(model_cache), mode], capture_output=True,
                              text=True, timeout=240, cwd=script.parents[1],
                              env=offline_environment({**os.environ, "PYTHONPATH": str(script.parents[1])}))
        assert done.returncode == 0, done.stderr[-2000:]
        return int(done.stdout.split()[-1])

    assert arenas("capped") <= generators.MALLOC_ARENAS < arenas("uncapped")


def test_interrupted_conversion_leaves_no_checkpoint(tmp_path, monkeypatch):
    def crash_halfway(gguf_folder, destination):
        (destination / "model.safetensors").write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(generators, "_convert_gguf", crash_halfway)
    with pytest.raises(KeyboardInterrupt):
        generators._packaged_checkpoint(tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_greedy_stream_pieces_add_up_to_complete(generator):
    pieces = list(generator.stream(QUESTION))
    assert len(pieces) > 1 and all(pieces)
    assert "".join(pieces) == generator.complete(QUESTION)
    assert "Paris" in "".join(pieces)


@pytest.mark.slow
def test_stopping_the_stream_early_stops_generation(generator, monkeypatch):
    new_tokens: list[int] = []
    real_generate = generator._model.generate

    def counting_generate(**arguments):
        output = real_generate(**arguments)
        new_tokens.append(output.shape[1] - arguments["input_ids"].shape[1])
        return output

    monkeypatch.setattr(generator._model, "generate", counting_generate)
    stream = generator.stream(LONG_TASK, max_new_tokens=400)
    next(stream)
    started = time.perf_counter()
    stream.close()
    assert time.perf_counter() - started < 3.0
    assert new_tokens and new_tokens[0] < 40  # stopped soon after the first piece, not after 400 tokens
    assert not [thread for thread in threading.enumerate() if thread.name == "generator"]


@pytest.mark.slow
def test_a_failing_generation_raises_in_the_consumer(generator, monkeypatch):
    def broken_generate(**arguments):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(generator._model, "generate", broken_generate)
    with pytest.raises(RuntimeError, match="out of memory"):
        list(generator.stream(QUESTION))


@pytest.mark.slow
def test_count_tokens_counts_without_special_tokens(generator):
    assert generator.count_tokens("") == 0
    assert 0 < generator.count_tokens("capital of France") < generator.count_tokens("capital of France " * 10)


def test_missing_model_path_names_the_path(tmp_path):
    missing = tmp_path / "no-such-llm"
    with pytest.raises(AssistantError, match="no-such-llm") as raised:
        TransformersGenerator(str(missing), cache_dir=tmp_path, max_new_tokens=8)
    assert "\n" not in str(raised.value) and "ASSISTANT_GENERATOR" in str(raised.value)

@pytest.mark.slow
def test_uncached_hub_id_offline_says_how_to_get_it(tmp_path):
    with pytest.raises(AssistantError, match="ASSISTANT_ALLOW_NETWORK") as raised:
        TransformersGenerator("nobody-here/no-such-llm", cache_dir=tmp_path, max_new_tokens=8)
    assert "nobody-here/no-such-llm" in str(raised.value) and "\n" not in str(raised.value)
