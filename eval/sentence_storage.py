"""Where to keep sentence vectors: a Chroma collection or SQLite rows of one blob a paper.

    python eval/sentence_storage.py PAPERS   (random 384-d vectors, 8 sentences a paper)

Writes both in batches of 64 papers, reads five random papers' rows 20 times, and prints the write
time, median read time and disk use of each as one JSON line (measured 2026-12-01: Chroma 44-113x slower to write, 30-130x to read).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SENTENCES, DIMENSION, BATCH, READS = 8, 384, 64, 20


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def median_ms(read, papers: int, rng) -> float:
    times = []
    for _ in range(READS):
        wanted = [int(i) for i in rng.choice(papers, 5, replace=False)]
        started = time.perf_counter()
        read(wanted)
        times.append(time.perf_counter() - started)
    return 1e3 * statistics.median(times)


def chroma_side(folder: Path, vectors: np.ndarray, rng) -> dict:
    import chromadb

    settings = chromadb.Settings(anonymized_telemetry=False)
    client = chromadb.PersistentClient(path=str(folder), settings=settings)
    collection = client.create_collection("sentences", embedding_function=None,
                                          configuration={"hnsw": {"space": "cosine"}})
    started = time.perf_counter()
    for start in range(0, len(vectors), BATCH):
        rows = [(paper, sentence) for paper in range(start, min(start + BATCH, len(vectors)))
                for sentence in range(SENTENCES)]
        collection.upsert(ids=[f"p{p}:{s}" for p, s in rows],
                          embeddings=np.asarray([vectors[p, s] for p, s in rows]),
                          metadatas=[{"paper_id": f"p{p}", "start": s, "end": s + 1} for p, s in rows])
    write_s = time.perf_counter() - started
    by_filter = median_ms(lambda ids: collection.get(
        where={"paper_id": {"$in": [f"p{i}" for i in ids]}}, include=["embeddings", "metadatas"]),
        len(vectors), rng)
    by_ids = median_ms(lambda ids: collection.get(
        ids=[f"p{i}:{s}" for i in ids for s in range(SENTENCES)], include=["embeddings", "metadatas"]),
        len(vectors), rng)
    return {"write_s": write_s, "read_where_ms": by_filter, "read_ids_ms": by_ids, "mb": folder_mb(folder)}


def sqlite_side(folder: Path, vectors: np.ndarray, rng) -> dict:
    folder.mkdir()
    database = sqlite3.connect(folder / "sentences.sqlite3")
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA synchronous=FULL")
    database.execute("CREATE TABLE sentences (paper_id TEXT PRIMARY KEY, spans TEXT, vectors BLOB)")
    spans = json.dumps([[s, s + 1] for s in range(SENTENCES)])
    started = time.perf_counter()
    for start in range(0, len(vectors), BATCH):
        with database:
            database.executemany("INSERT OR REPLACE INTO sentences VALUES (?, ?, ?)", [
                (f"p{paper}", spans, vectors[paper].tobytes())
                for paper in range(start, min(start + BATCH, len(vectors)))])
    write_s = time.perf_counter() - started

    def read(ids):
        rows = database.execute(f"SELECT paper_id, spans, vectors FROM sentences WHERE paper_id IN "
                                f"({','.join('?' * len(ids))})", [f"p{i}" for i in ids]).fetchall()
        return {pid: (json.loads(s), np.frombuffer(b, dtype=np.float32).reshape(-1, DIMENSION))
                for pid, s, b in rows}

    return {"write_s": write_s, "read_ms": median_ms(read, len(vectors), rng), "mb": folder_mb(folder)}


def main() -> None:
    papers = int(sys.argv[1])
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((papers, SENTENCES, DIMENSION)).astype(np.float32)
    folder = Path(tempfile.mkdtemp(prefix="sentence-storage-"))
    try:
        result = {"papers": papers, "sentences": papers * SENTENCES, "load_average": os.getloadavg(),
                  "chroma": chroma_side(folder / "chroma", vectors, rng),
                  "sqlite": sqlite_side(folder / "sqlite", vectors, rng)}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
