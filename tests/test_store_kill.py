"""kill -9 at chosen points of ingest, reindex and repair, in subprocesses (fake embedder, real
Chroma): a rerun converges, or `repair` restores the exact paper set; a store is never left that
no embedder can open."""

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.environment import offline_environment
from assistant.store import Store, stored_signature

pytestmark = pytest.mark.slow
HERE = Path(__file__).parent
BATCH = 8  # papers per batch (64 in the product): the same steps with less Chroma work
PAPERS = 20  # three batches: crashes after one and two, and inside the third


def _write_source(path: Path, count: int) -> Path:
    path.write_text("".join(json.dumps({
        "title": f"Paper {i}: on topic{i} and topic{i % 7}",
        "abstract": f"We study topic{i} carefully. It relates to topic{i % 7} and to topic{i % 11}. "
                    f"The method helps on benchmark{i % 5} by {i % 13} points."}) + "\n"
        for i in range(count)), encoding="utf-8")
    return path


def _run(store: Path, point: str, count: int, *args: str, dimension: int = 256):
    env = {**offline_environment(), "ASSISTANT_STORE": str(store), "FAKE_DIMENSION": str(dimension),
           "WRITE_BATCH": str(BATCH), "ASSISTANT_CONFIG": ""}  # empty: no config file
    return subprocess.run([sys.executable, str(HERE / "crash_cli.py"), point, str(count), *args],
                          env=env, capture_output=True, text=True, timeout=120, cwd=HERE.parent)


def _check(store: Path, dimension: int, expected: int) -> None:
    """The store opens with that embedder and holds `expected` papers, each with its chunks."""
    opened = Store(store, f"hashing-bow-{dimension}", dimension, read_only=True)
    papers = {p.paper_id for p in opened.papers()}
    assert len(papers) == expected
    assert {c.paper_id for c in opened.chunks()} == papers
    assert opened.count() == (expected, len(opened.chunks()))
    assert set(opened.sentence_vectors(opened.papers())) == papers  # none left to embed on the fly
    query = opened.nearest_chunks(opened.chunk_embeddings([opened.chunks()[0].chunk_id])[0], 3)
    assert query and query[0][1] > 0.99


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    return _write_source(tmp_path_factory.mktemp("source") / "papers.jsonl", PAPERS)


@pytest.fixture(scope="module")
def full_store(tmp_path_factory, source) -> Path:
    store = tmp_path_factory.mktemp("full") / "store"
    assert _run(store, "none", 0, "ingest", str(source)).returncode == 0
    return store


@pytest.mark.parametrize("point, count", [("batch", 1), ("batch", 2), ("ledger", 2), ("chunks", 3),
                                      ("indexed", 3), ("sentences", 2)])
def test_killed_ingest_reruns_to_the_full_paper_set(tmp_path, source, point, count):
    store = tmp_path / "store"
    killed = _run(store, point, count, "ingest", str(source))
    assert killed.returncode == -signal.SIGKILL
    rerun = _run(store, "none", 0, "ingest", str(source))
    assert rerun.returncode == 0, rerun.stderr
    _check(store, 256, PAPERS)


def test_repair_after_a_killed_ingest_restores_what_the_ledger_holds(tmp_path, source):
    store = tmp_path / "store"
    assert _run(store, "chunks", 2, "ingest", str(source)).returncode == -signal.SIGKILL
    repaired = _run(store, "none", 0, "repair")
    assert repaired.returncode == 0 and "repaired: 16 papers" in repaired.stdout  # two batches
    _check(store, 256, 16)


def test_ingest_killed_at_a_random_moment_converges(tmp_path, source):
    store = tmp_path / "store"
    env = {**offline_environment(), "ASSISTANT_STORE": str(store), "WRITE_BATCH": "2"}
    process = subprocess.Popen([sys.executable, str(HERE / "crash_cli.py"), "none", "0", "ingest",
                                str(source)], env=env, cwd=HERE.parent,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (store / "ledger.sqlite3").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(random.uniform(0.0, 1.0))  # somewhere among its ten batches, or just after
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert _run(store, "none", 0, "ingest", str(source)).returncode == 0
    _check(store, 256, PAPERS)


# after 8 and 16 papers (64 and 128 in the product's batches), before and after the switch; the
# rerun goes on to the same embedder (it resumes) or back to the first one
@pytest.mark.parametrize("point, count, target", [("batch", 2, 128), ("switch", 1, 256),
                                                  ("sweep", 1, 256)])
def test_killed_reindex_leaves_a_store_both_embedders_can_finish(tmp_path, full_store, point, count,
                                                             target):
    store = tmp_path / "store"
    shutil.copytree(full_store, store)
    killed = _run(store, point, count, "reindex", dimension=128)
    assert killed.returncode == -signal.SIGKILL
    live = stored_signature(store)["dimension"]
    assert live == (128 if point == "sweep" else 256)
    _check(store, live, PAPERS)  # the store reads all along, with the embedder it names
    stats = json.loads(_run(store, "none", 0, "stats", "--json").stdout) if point == "batch" else None
    assert stats is None or (stats["papers"], stats["dimension"]) == (PAPERS, 256)
    again = _run(store, "none", 0, "reindex", dimension=target)
    assert again.returncode == 0, again.stderr
    assert f"re-embedded {PAPERS} papers" in again.stdout
    _check(store, target, PAPERS)
    folder = Store(store, f"hashing-bow-{target}", target).folder
    assert [p.name for p in store.glob("chroma*")] == [folder]  # the others were swept
    if (point, target) == ("batch", 128):
        assert folder == "chroma-build1"  # the rerun resumed the killed build
