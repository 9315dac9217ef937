"""llama.cpp generator speed: load, prefill and decode tokens/s per model and thread count.

    python eval/bench_llama_cpp.py [--repeats 3] [--cache DIR]

A ~400-token prompt (sample abstracts) is prefilled from an empty KV cache each run; decode speed is
the tokens after the first one over the time after the first piece. Medians of the repeats; the
machine's load average is printed with the figures because other work on the cores changes them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.models import generators, install  # noqa: E402
from assistant.models.llama_cpp import LlamaCppGenerator  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "daily_papers" / "000_9c1c75a0277bd027.txt"
NEW_TOKENS = 48


def prompt_messages(generator: LlamaCppGenerator, tokens: int = 400) -> list[dict[str, str]]:
    words = " ".join(SAMPLE.read_text(encoding="utf-8").split()).split(" ")
    text = ""
    for end in range(50, len(words), 10):
        text = " ".join(words[:end])
        if generator.count_tokens(text) >= tokens - 40:
            break
    return [{"role": "system", "content": "You are a careful research assistant."},
            {"role": "user", "content": f"{text}\n\nList every method named above, one per line, with a long explanation."}]


def run_once(generator: LlamaCppGenerator, messages: list[dict[str, str]]) -> tuple[float, float, int]:
    generator._llama.reset()  # an empty KV cache: every run prefills the whole prompt
    started = time.perf_counter()
    first = None
    for _ in generator.stream(messages, NEW_TOKENS):
        first = first or time.perf_counter()
    finished = time.perf_counter()
    prompt_tokens = len(generator._prompt_tokens(messages))
    generated = generator._llama.n_tokens - prompt_tokens
    return prompt_tokens / (first - started), (generated - 1) / (finished - first), prompt_tokens


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("ASSISTANT_MODEL_CACHE", "store/models")))
    arguments = parser.parse_args()
    models = {"SmolLM2-135M": generators._packaged_gguf_folder() / generators.PACKAGED_GGUF_FILE}
    for name in install.REGISTRY:
        models[name] = install.verified_path(name, arguments.cache)
    print("| model | threads | load s | prefill tok/s | decode tok/s | prompt tokens | load avg |")
    print("|---|---|---|---|---|---|---|")
    for name, path in models.items():
        for threads in (1, 2):
            loads, prefills, decodes = [], [], []
            for _ in range(arguments.repeats):
                started = time.perf_counter()
                generator = LlamaCppGenerator(path, NEW_TOKENS, threads=threads)
                loads.append(time.perf_counter() - started)
                messages = prompt_messages(generator)
                prefill, decode, prompt_tokens = run_once(generator, messages)
                prefills.append(prefill)
                decodes.append(decode)
                del generator
            print(f"| {name} | {threads} | {statistics.median(loads):.2f} | {statistics.median(prefills):.0f} | "
                  f"{statistics.median(decodes):.1f} | {prompt_tokens} | {os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
