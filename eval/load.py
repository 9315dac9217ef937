"""Concurrent users against the real UI server on loopback: answers, errors, answers to another
user's question, and latency percentiles, per number of users.

    python eval/load.py --store STORE [--generator extractive] [--users 10 25 50] [--cache DIR]

The store is copied to a scratch folder first (the server may write to its copy). The server is
`python -m assistant ui` in a subprocess with the offline environment; each user is a thread with
its own gradio_client session calling `/chat` once, all released together. Questions are the named
questions of eval/questions.jsonl, one a user (distinct gold papers), so an answer whose retrieved
papers hold another user's gold paper and not its own is counted as an answer to the wrong question.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.environment import offline_environment  # noqa: E402

QUESTIONS = ROOT / "eval" / "questions.jsonl"


def named_questions() -> list[dict]:
    """One named question per gold paper, in file order."""
    seen, chosen = set(), []
    for line in QUESTIONS.read_text(encoding="utf-8").splitlines():
        question = json.loads(line)
        gold = tuple(question.get("gold_titles", []))
        if question.get("named") and len(gold) == 1 and gold not in seen:
            seen.add(gold)
            chosen.append(question)
    return chosen


def start_server(store: Path, generator: str, cache: Path | None, port: int) -> subprocess.Popen:
    environment = offline_environment({**os.environ, "ASSISTANT_STORE": str(store),
                                       "ASSISTANT_GENERATOR": generator, "ASSISTANT_CONFIG": ""})
    if cache:
        environment["ASSISTANT_MODEL_CACHE"] = str(cache)
    return subprocess.Popen([sys.executable, "-m", "assistant", "ui", "--port", str(port)],
                            cwd=ROOT, env=environment, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return
        except OSError:
            time.sleep(1)
    raise SystemExit(f"the server at {url} did not answer within {seconds:.0f} s")


def one_user(url: str, question: dict, start: threading.Event, results: list) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    start.wait()
    began = time.perf_counter()
    try:
        answer = client.predict(question["question"], api_name="/chat")
        results.append((question, answer, time.perf_counter() - began, None))
    except Exception as error:  # noqa: BLE001 - every failure is a finding
        results.append((question, None, time.perf_counter() - began, str(error).splitlines()[0]))


def wave(url: str, questions: list[dict]) -> dict:
    """Every user asks at once; the figures of that wave."""
    start, results, users = threading.Event(), [], []
    for question in questions:
        users.append(threading.Thread(target=one_user, args=(url, question, start, results)))
        users[-1].start()
    time.sleep(2)  # every client has fetched the app's config
    start.set()
    for user in users:
        user.join()
    return summarise(results, {q["gold_titles"][0] for q in questions})


def summarise(results: list, golds: set[str]) -> dict:
    seconds = sorted(s for *_, s, _ in results)
    answered = [(q, a) for q, a, _, error in results if error is None]
    wrong = sum(1 for q, a in answered if q["gold_titles"][0] not in a["retrieved"]
                and (set(a["retrieved"]) & (golds - {q["gold_titles"][0]})))
    return {"users": len(results), "answers": len(answered),
            "abstained": sum(1 for _, a in answered if a.get("abstained")),
            "errors": sorted({e for *_, e in results if e}), "error_count": sum(1 for *_, e in results if e),
            "own_paper_retrieved": sum(1 for q, a in answered if q["gold_titles"][0] in a["retrieved"]),
            "wrong_question": wrong, "p50_s": round(statistics.median(seconds), 2),
            "p95_s": round(seconds[min(len(seconds) - 1, int(0.95 * len(seconds)))], 2),
            "max_s": round(seconds[-1], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--generator", default="extractive")
    parser.add_argument("--users", type=int, nargs="+", default=[10, 25, 50])
    parser.add_argument("--cache", type=Path, default=None, help="model cache (ASSISTANT_MODEL_CACHE)")
    parser.add_argument("--port", type=int, default=7891)
    options = parser.parse_args()
    questions = named_questions()
    with tempfile.TemporaryDirectory(prefix="load-") as scratch:
        store = Path(scratch) / "store"
        shutil.copytree(options.store, store)
        server = start_server(store, options.generator, options.cache, options.port)
        url = f"http://127.0.0.1:{options.port}/"
        try:
            wait_until_up(url, server)
            wave(url, questions[:1])  # warm-up: loads the models, not counted
            for users in options.users:
                asked = [questions[n % len(questions)] for n in range(users)]
                figures = {"generator": options.generator, "load_average": os.getloadavg()[0],
                           **wave(url, asked)}
                print(json.dumps(figures), flush=True)
        finally:
            server.terminate()
            server.wait(30)


if __name__ == "__main__":
    main()
