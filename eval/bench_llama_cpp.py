"""llama.cpp generator speed: load, prefill and decode tokens/s per model and thread count.

    python eval/bench_llama_cpp.py [--repeats 3] [--cache DIR] [--threads 1 2] [--models NAME ...] [--new-tokens 48]

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


def prompt_messages(generator: LlamaCppGenerator, tokens: int = 400) -> list[dict[str, str]]:
    words = " ".join(SAMPLE.read_text(encoding="utf-8").split()).split(" ")
    text = ""
    for end in range(50, len(words), 10):
        text = " ".join(words[:end])
        if generator.count_tokens(text) >= tokens - 40:
            break
    return [{"role": "system", "content": "You are a careful research assistant."},
            {"role": "user", "content": f"{text}\n\nList every method named above, one per line, with a long explanation."}]


def run_once(generator: LlamaCppGenerator, messages: list[dict[str, str]], new_tokens: int) -> tuple[float, float, int]:
    generator._llama.reset()  # an empty KV cache: every run prefills the whole prompt
    started = time.perf_counter()
    first = None
    for _ in generator.stream(messages, new_tokens):
        first = first or time.perf_counter()
    finished = time.perf_counter()
    prompt_tokens = len(generator._prompt_tokens(messages))
    generated = generator._llama.n_tokens - prompt_tokens
    return prompt_tokens / (first - started), (generated - 1) / (finished - first), prompt_tokens


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--models", nargs="+", default=None, help="SmolLM2-135M and/or registry names")
    parser.add_argument("--new-tokens", type=int, default=48)
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("ASSISTANT_MODEL_CACHE", "store/models")))
    arguments = parser.parse_args()
    models = {"SmolLM2-135M": generators._packaged_gguf_folder() / generators.PACKAGED_GGUF_FILE}
    for name in install.REGISTRY:
        if arguments.models is None or name in arguments.models:
            models[name] = install.verified_path(name, arguments.cache)
    models = {name: path for name, path in models.items() if arguments.models is None or name in arguments.models}
    print("| model | threads | load s | prefill tok/s | decode tok/s | prompt tokens | load avg |")
    print("|---|---|---|---|---|---|---|")
    for name, path in models.items():
        for threads in arguments.threads:
            loads, prefills, decodes = [], [], []
            for _ in range(arguments.repeats):
                started = time.perf_counter()
                generator = LlamaCppGenerator(path, arguments.new_tokens, threads=threads)
                loads.append(time.perf_counter() - started)
                messages = prompt_messages(generator)
                prefill, decode, prompt_tokens = run_once(generator, messages, arguments.new_tokens)
                prefills.append(prefill)
                decodes.append(decode)
                del generator
            print(f"| {name} | {threads} | {statistics.median(loads):.2f} | {statistics.median(prefills):.0f} | "
                  f"{statistics.median(decodes):.1f} | {prompt_tokens} | {os.getloadavg()[0]:.1f} |", flush=True)


if __name__ == "__main__":
    main()
