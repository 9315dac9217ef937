"""Big ingests: worker processes for the embedder, and progress lines with papers/s and ETA."""

import os
import signal
import time
from contextlib import contextmanager

import numpy as np
import pytest

from assistant import ingest
from assistant.chunking import Chunker
from assistant.cli import common
from assistant.schema import Paper
from fakes import HashingEmbedder


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_lines_give_rate_and_eta_for_long_ingests_only(monkeypatch, capsys):
    clock = Clock()
    monkeypatch.setattr(common.time, "monotonic", clock)
    monkeypatch.setattr(common.sys.stderr, "isatty", lambda: False)
    bar, update = common.progress("embedding", lines=True)
    with bar:
        for now, done in ((100.0, 0), (105.0, 64), (110.0, 128), (112.0, 192), (116.0, 256)):
            clock.now = now
            update(done, 256)
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["embedding: 128/256 papers, 12.8 papers/s, ETA 0m10s",
                     "embedding: 256/256 papers, 16.0 papers/s, ETA 0m00s"]
    _, quick = common.progress("embedding", lines=True)
    for now, done in ((200.0, 0), (203.0, 3)):  # done in 3 s: nothing to say
        clock.now = now
        quick(done, 3)
    assert capsys.readouterr().err == ""


def test_progress_lines_count_this_runs_papers_only(monkeypatch, capsys):
    clock = Clock()
    monkeypatch.setattr(common.time, "monotonic", clock)
    monkeypatch.setattr(common.sys.stderr, "isatty", lambda: False)
    _, update = common.progress("re-embedding", lines=True)
    update(500, 1000)  # a resumed rebuild: 500 were done before
    clock.now += 20
    update(600, 1000)
    assert capsys.readouterr().err == "re-embedding: 600/1000 papers, 5.0 papers/s, ETA 1m20s\n"


def _papers(count):
    return [Paper(paper_id=f"p{i}", title=f"Paper {i}", abstract=f"We study topic{i}. It helps.")
            for i in range(count)]


def test_embed_and_write_starts_the_clock_before_the_first_batch(tmp_path, make_store, monkeypatch):
    monkeypatch.setattr(ingest, "WRITE_BATCH", 4)
    calls = []
    embedder = HashingEmbedder()
    ingest.embed_and_write(_papers(10), make_store(tmp_path / "store", embedder), embedder,
                           Chunker(200, 40), "2026-01-01", lambda done, total: calls.append(done))
    assert calls == [0, 4, 8, 10]


class PooledEmbedder(HashingEmbedder):
    def __init__(self):
        super().__init__()
        self.pools = 0

    @contextmanager
    def pool(self):
        self.pools += 1
        yield


def test_only_big_ingests_start_the_embedders_worker_processes(monkeypatch):
    embedder = PooledEmbedder()
    with ingest.pooled(embedder, ingest.POOL_MIN_PAPERS - 1):
        pass
    assert embedder.pools == 0
    with ingest.pooled(embedder, ingest.POOL_MIN_PAPERS):
        pass
    assert embedder.pools == 1
    with ingest.pooled(HashingEmbedder(), 10 ** 6):  # an embedder without processes is fine
        pass


@pytest.mark.slow
def test_worker_processes_embed_as_the_process_does(real_embedder):
    texts = [f"Sentence {i} about topic{i % 7} and method{i % 3}." for i in range(40)]
    alone = real_embedder.embed(texts)
    with real_embedder.pool(2):
        pooled = real_embedder.embed(texts)
        workers = real_embedder._pool["processes"]
        for worker in workers:  # Ctrl-C reaches the whole process group: workers must outlive it
            os.kill(worker.pid, signal.SIGINT)
        time.sleep(1.0)
        assert all(worker.is_alive() for worker in workers)
        np.testing.assert_allclose(real_embedder.embed(texts), alone, atol=1e-5)
    assert real_embedder._pool is None  # the workers stopped with the block
    np.testing.assert_allclose(pooled, alone, atol=1e-5)
