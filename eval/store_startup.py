"""Start-up of a new process on stores of growing size: `assistant search` and `assistant stats`
at 548 (the sample corpus), 10k and 100k papers, next to the bare imports they cannot avoid.

    python eval/store_startup.py --work /tmp/startup [--sizes 10000 100000] [--repeats 3]

Synthetic papers are made of real corpus sentences with embeddings near real ones
(bench.synthetic_store); each store's lexical index is saved once by a writable process, as
`assistant ingest` does, before the timed runs. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "eval")]

from assistant.environment import offline_environment  # noqa: E402


def timed(command: list[str], repeats: int) -> dict:
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        done = subprocess.run(command, env=offline_environment(), capture_output=True, text=True,
                              cwd=ROOT)
        seconds.append(time.perf_counter() - started)
        if done.returncode:
            raise SystemExit(f"{command} failed: {done.stderr[-500:]}")
    return {"median_s": round(statistics.median(seconds), 2), "runs": [round(s, 2) for s in seconds]}


def build(work: Path, sizes: list[int]) -> dict[int, Path]:
    from bench import synthetic_store

    from assistant.app import Assistant
    from assistant.retrieval import Retriever
    from assistant.settings import Settings

    sample = work / "548"
    base = Assistant.from_settings(Settings(store=sample))
    base.ingest([ROOT / "data" / "daily_papers"])  # resumes; saves the sample's lexical index
    stores = {548: sample}
    for size in sizes:
        path = work / str(size)
        if not (path / "built").exists():
            started = time.perf_counter()
            _, store = synthetic_store(path, base, size)
            Retriever(store, base.embedder)
            (path / "built").write_text(f"{time.perf_counter() - started:.0f} s\n")
            print(f"built {size} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        stores[size] = path
    return stores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    stores = build(args.work, args.sizes)
    python = sys.executable
    results = {"raw": {
        "python -c pass": timed([python, "-c", "pass"], args.repeats),
        "import chromadb": timed([python, "-c", "import chromadb"], args.repeats),
        "import sentence_transformers": timed([python, "-c", "import sentence_transformers"],
                                              args.repeats),
    }}
    for size, path in stores.items():
        cli = [python, "-m", "assistant", "--store", str(path)]
        results[str(size)] = {
            "stats": timed(cli + ["stats"], args.repeats),
            "search": timed(cli + ["search", "parameter-efficient fine-tuning of language models"],
                            args.repeats)}
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
