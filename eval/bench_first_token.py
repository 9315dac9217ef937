"""Benchmark: seconds to the first token and the first checked sentence with a llama.cpp model.

    python eval/bench_first_token.py --store STORE [--generator SmolLM2-135M-Instruct]
        [--threads 1/1,2/1,2/2] [--repeats 2] [--out eval/out/bench_first_token.json]

In one process, on a store of the sample corpus (with its stored sentence vectors): every question
of bench.QUESTIONS answered through the whole pipeline with each prefill/decode thread setting in
turn (alternately, `repeats` rounds), and the same prompt sent to the raw model (llama.cpp's own
chat completion, no retrieval or checks). Per setting, medians of: seconds until the prompt is
ready (retrieval, evidence, answerability), its tokens, first token, first sentence shown (with quotes
first, a quote), the model's first checked sentence shown,
whole answer; and the raw model's first token for the same prompts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "eval")]

from assistant import environment  # noqa: E402

environment.apply(allow_network=False)

from bench import QUESTIONS  # noqa: E402


def timed_answer(assistant, generator, question: str) -> dict:
    """One answer through the pipeline, with the moments the prompt was ready and the first token came."""
    from assistant.evaluation.authorship import OWN

    marks: dict[str, float] = {}
    stream = generator.stream

    def watched(messages, max_new_tokens=None):
        marks["prompt"], marks["messages"] = time.perf_counter(), messages
        for piece in stream(messages, max_new_tokens):
            marks.setdefault("first", time.perf_counter())
            yield piece

    generator.stream = watched
    try:
        started, shown, own = time.perf_counter(), None, None
        for event in assistant.ask_stream(question):
            if shown is None and getattr(event, "shown", False):
                shown = time.perf_counter() - started  # with quotes first: the first quote
            if own is None and getattr(event, "shown", False) and getattr(event, "action", "") in OWN:
                own = time.perf_counter() - started  # the model's first checked sentence
        total = time.perf_counter() - started
    finally:
        generator.stream = stream
    if "prompt" not in marks:
        return {"question": question, "abstained": True}
    return {"question": question, "prompt_ready_s": marks["prompt"] - started,
            "prompt_tokens": len(generator._prompt_tokens(marks["messages"])),
            "first_token_s": marks.get("first", marks["prompt"]) - started, "first_shown_s": shown,
            "first_own_s": own, "total_s": total, "messages": marks["messages"]}


def raw_first_token(generator, messages) -> float:
    """llama.cpp's own streaming chat completion of the same prompt: seconds to its first piece."""
    generator._llama.reset()  # no prompt prefix reused from the pipeline's run
    started = time.perf_counter()
    for chunk in generator._llama.create_chat_completion(messages=messages, max_tokens=8, top_k=1,
                                                        temperature=0.0, stream=True):
        if chunk["choices"][0]["delta"].get("content"):
            return time.perf_counter() - started
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--generator", default="SmolLM2-135M-Instruct")
    parser.add_argument("--threads", default="1/1,2/1,2/2", help="prefill/decode thread pairs")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "out" / "bench_first_token.json")
    arguments = parser.parse_args()

    from assistant.app import Assistant, build_embedder
    from assistant.models import build_generator
    from assistant.settings import Settings
    from assistant.store import Store

    base = Settings(store=arguments.store, generator=arguments.generator, generator_backend="llama.cpp")
    base.apply_environment()
    embedder = build_embedder(base)
    store = Store(base.store, embedder.name, embedder.dimension, read_only=True)
    setups = {}
    for pair in arguments.threads.split(","):
        prefill, decode = map(int, pair.split("/"))
        settings = base.model_copy(update={"threads": prefill, "decode_threads": decode})
        generator = build_generator(settings)
        setups[pair] = (Assistant(settings, store, embedder, generator), generator)
        setups[pair][0].ask(QUESTIONS[0])  # warm-up: caches, the model's first call
    runs: dict[str, list[dict]] = {pair: [] for pair in setups}
    raw: dict[str, list[float]] = {pair: [] for pair in setups}
    for _ in range(arguments.repeats):
        for question in QUESTIONS:
            for pair, (assistant, generator) in setups.items():
                run = timed_answer(assistant, generator, question)
                runs[pair].append(run)
                if "messages" in run:
                    raw[pair].append(raw_first_token(generator, run.pop("messages")))

    def median(values):
        values = [v for v in values if v is not None]
        return statistics.median(values) if values else None

    results = {"generator": arguments.generator, "questions": len(QUESTIONS), "repeats": arguments.repeats,
               "load_average": os.getloadavg(), "setups": {}}
    for pair, rows in runs.items():
        answered = [r for r in rows if not r.get("abstained")]
        summary = {key: median(r[key] for r in answered) for key in
                   ("prompt_ready_s", "prompt_tokens", "first_token_s", "first_shown_s", "first_own_s", "total_s")}
        summary["raw_first_token_s"] = median(raw[pair])
        summary["answered"] = len(answered)
        results["setups"][pair] = summary
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
