"""Concurrency without leaks: no lock held across `yield`, index refreshes under the index lock, and
flat memory over a bounded loopback soak (fakes here; the real models in the slow test)."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.schema import Answer, SentenceCheck
from assistant.threads import held_stream
from conftest import ScriptedGenerator

LISTING = Path(__file__).resolve().parents[1] / "data" / "daily_papers" / "000_9c1c75a0277bd027.txt"
REPLY = "The method distils a large model into a small one [1]. It keeps most of the accuracy [2]."


def rss_mb() -> float:
    """Resident memory of this process now, from /proc (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def make_assistant(tmp_path, embedder, generator, **settings):
    from assistant.app import Assistant
    from assistant.settings import Settings
    from assistant.store import Store

    chosen = Settings(store=tmp_path / "store", min_relevance=0.0, min_evidence=0.0, **settings)
    assistant = Assistant(chosen, Store(chosen.store, embedder.name, embedder.dimension), embedder,
                          generator)
    assert assistant.ingest([LISTING]).added > 20
    return assistant


def test_held_stream_releases_the_lock_when_the_consumer_stops():
    lock = threading.Lock()
    made, closed = [], threading.Event()

    def items():
        try:
            for n in range(1000):
                made.append(n)
                time.sleep(0.002)  # a model makes sentences slowly
                yield n
        finally:
            closed.set()

    stream = held_stream(lock, items)
    assert next(stream) == 0
    stream.close()  # a browser tab closed after the first sentence
    assert closed.wait(5) and lock.acquire(timeout=5)
    assert len(made) < 1000  # the worker stopped early, it did not run to the end


def test_held_stream_hands_over_errors_to_the_consumer():
    def failing():
        yield 1
        raise ValueError("model failed")

    lock = threading.Lock()
    stream = held_stream(lock, failing)
    assert next(stream) == 1
    with pytest.raises(ValueError, match="model failed"):
        next(stream)
    assert lock.acquire(timeout=5)


def test_a_half_read_answer_does_not_block_other_users(tmp_path, fake_embedder):
    assistant = make_assistant(tmp_path, fake_embedder, ScriptedGenerator(REPLY))
    question = "What does the method distil into a small model?"
    first = assistant.ask_stream(question)
    assert isinstance(next(first), (SentenceCheck, Answer))  # then this consumer stalls
    answers = []
    other = threading.Thread(target=lambda: answers.append(assistant.ask(question)), daemon=True)
    other.start()
    other.join(30)  # it used to wait for `first` forever (a daemon thread: no hang on failure)
    assert answers and isinstance(answers[0], Answer)
    first.close()


def test_searches_during_ingest_and_delete_never_fail(tmp_path, fake_embedder):
    assistant = make_assistant(tmp_path, fake_embedder, ScriptedGenerator(REPLY))
    extra = tmp_path / "extra.jsonl"
    extra.write_text("".join(json.dumps({"title": f"Extra Paper {n}", "abstract": f"Distillation study {n}. " * 20})
                             + "\n" for n in range(30)))
    stop, errors = threading.Event(), []

    def search_until_stopped():
        while not stop.is_set():
            try:
                assert assistant.search("distillation study small model", 5)
            except Exception as error:  # noqa: BLE001 - any failure is the finding
                errors.append(error)

    readers = [threading.Thread(target=search_until_stopped) for _ in range(3)]
    for reader in readers:
        reader.start()
    for _ in range(3):
        assistant.ingest([extra])
        ids = [paper.paper_id for paper in assistant.papers() if paper.title.startswith("Extra")]
        assistant.delete(ids)
    stop.set()
    for reader in readers:
        reader.join()
    assert errors == []


def soak(assistant, requests: int, workers: int = 4, every: int = 4) -> list[float]:
    """`requests` requests from `workers` threads, RSS (MB) after each block of 25: of each `every`,
    one abandoned stream and one full answer, the others searches."""
    questions = ["What does the method distil?", "Which benchmark is used?", "How fast is it?"]

    def one(n: int) -> None:
        kind = n % every
        if kind not in (1, 2):
            assistant.search(questions[n % 3], 5)
        elif kind == 1:
            stream = assistant.ask_stream(questions[n % 3])
            next(stream)
            stream.close()  # abandoned after the first sentence
        else:
            assistant.ask(questions[n % 3])

    memory = []
    with ThreadPoolExecutor(workers) as pool:
        for start in range(0, requests, 25):
            list(pool.map(one, range(start, start + 25)))
            memory.append(rss_mb())
    return memory


def test_soak_of_300_requests_keeps_memory_flat_after_warm_up(tmp_path, fake_embedder):
    assistant = make_assistant(tmp_path, fake_embedder, ScriptedGenerator(REPLY))
    threads_before = threading.active_count()
    memory = soak(assistant, 300)
    print("RSS MB per 25 requests:", [round(m, 1) for m in memory])  # shown with -s, for the notes
    warm = memory[3]  # after 100 requests
    assert memory[-1] - warm < 40, memory  # MB; measured growth is a few MB (see the README, UI)
    time.sleep(0.5)
    assert threading.active_count() <= threads_before + 1  # no worker thread left behind
    assert assistant._lock.acquire(timeout=5)


@pytest.mark.slow
def test_soak_of_the_default_pipeline_keeps_memory_flat(tmp_path, real_embedder, model_cache):
    """The default (extractive) answers with the real embedder, store and judge: 200 requests."""
    from assistant.app import build_generator
    from assistant.settings import Settings

    generator = build_generator(Settings(store=tmp_path / "s", model_cache=model_cache))
    assistant = make_assistant(tmp_path, real_embedder, generator, max_new_tokens=12)
    memory = soak(assistant, 200, workers=2, every=10)
    print("RSS MB per 25 requests (default pipeline):", [round(m, 1) for m in memory])
    assert memory[-1] - memory[1] < 60, memory  # MB after the first 50 requests
