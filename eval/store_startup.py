"""Start-up of a new process on stores of growing size: `assistant search` and `assistant stats`
at 548 (the sample corpus), 10k and 100k papers, next to the bare imports they cannot avoid.

    python eval/store_startup.py --work /tmp/startup [--sizes 10000 100000] [--repeats 5]

Synthetic papers are made of real corpus sentences with embeddings near real ones
(bench.synthetic_store); each store's lexicon and BM25 index are saved once by a writable process,
as `assistant ingest` does, before the timed runs. Every round runs each command once, in turn
(the raw imports too), so machine load hits all of them alike; medians and ratios to
`python -c "import chromadb"` are reported. `search (torch)` is the same search with the ONNX
export switched off (the query embedded by sentence-transformers); `resident search` is one
search in a process that is already up (what a resident server would answer in). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "eval")]

from assistant.environment import offline_environment  # noqa: E402

QUERY = "parameter-efficient fine-tuning of language models"
TORCH_ONLY = ("import assistant.models.embedders as e; e.onnx_export.exportable = lambda source: "
              "False; from assistant.cli import run; run()")
RESIDENT = """
import json, statistics, sys, time
from assistant.app import Assistant
from assistant.settings import Settings
assistant = Assistant.from_settings(Settings(store=sys.argv[1]), read_only=True)
assistant.search(sys.argv[2])
times = []
for _ in range(10):
    started = time.perf_counter(); assistant.search(sys.argv[2]); times.append(time.perf_counter() - started)
print(json.dumps(statistics.median(times)))
"""


def run_once(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"{command} failed: {done.stderr[-500:]}")
    return time.perf_counter() - started


def build(work: Path, sizes: list[int]) -> dict[int, Path]:
    from bench import synthetic_store

    from assistant.app import Assistant
    from assistant.retrieval import Retriever
    from assistant.settings import Settings
    from assistant.store import Store

    sample = work / "548"
    base = Assistant.from_settings(Settings(store=sample))
    base.ingest([ROOT / "data" / "daily_papers"])  # resumes; saves the sample's lexical index
    stores = {548: sample}
    for size in sizes:
        path = work / str(size)
        if not (path / "built").exists():
            started = time.perf_counter()
            synthetic_store(path, base, size)
            (path / "built").write_text(f"{time.perf_counter() - started:.0f} s\n")
            print(f"built {size} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        # saves the lexicon if the store has none of this version (as the last ingest would)
        Retriever(Store(path, base.embedder.name, base.embedder.dimension), base.embedder)
        stores[size] = path
    return stores


def commands(stores: dict[int, Path]) -> dict[str, list[str]]:
    python = sys.executable
    timed = {"python -c pass": [python, "-c", "pass"],
             "import chromadb": [python, "-c", "import chromadb"],
             "import chromadb, sentence_transformers":
                 [python, "-c", "import chromadb, sentence_transformers"]}
    for size, path in stores.items():
        cli = ["--store", str(path)]
        timed[f"{size} stats"] = [python, "-m", "assistant", *cli, "stats"]
        timed[f"{size} search"] = [python, "-m", "assistant", *cli, "search", QUERY]
        timed[f"{size} search (torch)"] = [python, "-c", TORCH_ONLY, *cli, "search", QUERY]
    return timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("ASSISTANT_MODEL_CACHE", str(args.work / "models"))
    stores = build(args.work, args.sizes)
    env = offline_environment()
    timed = commands(stores)
    for command in timed.values():  # warm the file cache; the first search exports the embedder
        run_once(command, env)
    seconds: dict[str, list[float]] = {name: [] for name in timed}
    for _ in range(args.repeats):
        for name, command in timed.items():
            seconds[name].append(run_once(command, env))
    chromadb = statistics.median(seconds["import chromadb"])
    results = {name: {"median_s": round(statistics.median(runs), 2),
                      "vs_import_chromadb": round(statistics.median(runs) / chromadb, 2),
                      "runs": [round(s, 2) for s in runs]} for name, runs in seconds.items()}
    for size, path in stores.items():
        done = subprocess.run([sys.executable, "-c", RESIDENT, str(path), QUERY], env=env,
                              capture_output=True, text=True, cwd=ROOT, check=True)
        results[f"{size} resident search"] = {"median_s": round(json.loads(done.stdout), 3)}
    results["load_average"] = os.getloadavg()
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
