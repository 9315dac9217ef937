"""Benchmark at scale: embedding throughput, synthetic stores of 10k / 100k abstracts, real days.

    python eval/bench_scale.py [--out eval/out/bench_scale.json] [--sizes 10000,100000]
        [--parts embed,scale,real] [--repeats 3]

- embed: chunks and sentences of sample papers embedded in this process with 1 and 2 torch
  threads and by a pool of 2 worker processes (one thread each), alternately; texts/s and papers/s.
- scale: for each size, in a new process (so that its RSS is its own): a store of that many
  synthetic abstracts (five real sample sentences each) written with real sample vectors plus
  noise, for chunks and sentences alike (store side only: no text is embedded); the write rate,
  disk use, opening the store (the Assistant, retriever included; twice: the first builds and
  saves the lexical index), search p50/p95 with real query embeddings next to Chroma's raw query
  of the same vectors, reading five papers' sentence vectors, and RSS.
- real: every day of ../shared/real/hf_daily_papers/ ingested with the real embedder, in process
  and with the 2-process pool, into new stores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "eval")]

from bench import SEARCHES, bench_search  # noqa: E402

from assistant.settings import Settings  # noqa: E402

REAL_DAYS = ROOT.parent / "shared" / "real" / "hf_daily_papers"


def rss_mb() -> dict:
    with open("/proc/self/status") as status:
        current = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    return {"rss_mb": current / 1024,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def folder_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6


def _texts(papers) -> list[str]:
    from assistant.chunking import Chunker
    from assistant.ingest import embedding_text
    from assistant.text import split_sentences

    settings = Settings()
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    chunks = [embedding_text(c) for c in chunker.chunk(papers)]
    return chunks + [p.abstract[s:e] for p in papers for s, e in split_sentences(p.abstract)]


def bench_embed(embedder, papers, repeats: int) -> dict:
    """The same texts three ways, alternately: in process with 1 and 2 threads, and a 2-process pool."""
    import torch

    texts = _texts(papers)
    embedder.embed(texts[:64])  # warm-up
    times: dict[str, list[float]] = {"threads_1": [], "threads_2": [], "pool_2": []}
    for _ in range(repeats):
        for mode in times:
            torch.set_num_threads(2 if mode == "threads_2" else 1)
            with embedder.pool(2 if mode == "pool_2" else 1):
                embedder.embed(texts[:64])  # the pool's workers load the model first
                started = time.perf_counter()
                embedder.embed(texts)
                times[mode].append(time.perf_counter() - started)
    medians = {mode: statistics.median(values) for mode, values in times.items()}
    return {"papers": len(papers), "texts": len(texts), "runs_s": times,
            "texts_per_s": {m: len(texts) / s for m, s in medians.items()},
            "papers_per_s": {m: len(papers) / s for m, s in medians.items()},
            "pool_vs_threads_1": medians["threads_1"] / medians["pool_2"],
            "threads_2_vs_threads_1": medians["threads_1"] / medians["threads_2"]}


def synthetic_items(sample: dict, start: int, stop: int, rng: random.Random, noise):
    """StoredPapers for synthetic papers start..stop: real sentences, perturbed real vectors."""
    from assistant.schema import Chunk, Paper, SentenceVectors
    from assistant.store import StoredPaper
    from assistant.text import split_sentences

    pool, chunks, rows = sample["sentences"], sample["chunk_vectors"], sample["sentence_vectors"]
    items = []
    for index in range(start, stop):
        abstract = " ".join(rng.sample(pool, 5))
        paper = Paper(paper_id=f"syn:{index}", title=f"Synthetic paper {index}", abstract=abstract)
        chunk = Chunk(f"syn:{index}#0", paper.paper_id, paper.title, abstract, 0, len(abstract))
        spans = tuple(split_sentences(abstract))
        picked = rows[[rng.randrange(len(rows)) for _ in spans]]
        vectors = _unit(np.vstack([chunks[index % len(chunks)][None, :], picked])
                        + noise.normal(0, 0.05, (len(spans) + 1, chunks.shape[1])))
        items.append(StoredPaper(paper, [chunk], vectors[:1], "2026-01-01",
                                 SentenceVectors(paper.paper_id, spans, vectors[1:])))
    return items


def _unit(vectors: np.ndarray) -> np.ndarray:
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)


def bench_size(size: int, sample_path: Path, folder: Path) -> dict:
    """One synthetic store of `size` abstracts, measured (runs in its own process)."""
    from assistant.app import Assistant, build_embedder
    from assistant.store import Store

    data = np.load(sample_path, allow_pickle=True)
    sample = {"sentences": list(data["sentences"]), "chunk_vectors": data["chunk_vectors"],
              "sentence_vectors": data["sentence_vectors"]}
    settings = Settings(store=folder / "store")
    settings.apply_environment()
    embedder = build_embedder(settings)
    store = Store(settings.store, embedder.name, embedder.dimension)
    rng, noise = random.Random(0), np.random.default_rng(0)
    started = time.perf_counter()
    for start in range(0, size, 2000):
        store.write(synthetic_items(sample, start, min(start + 2000, size), rng, noise))
    write_s = time.perf_counter() - started
    result = {"abstracts": size, "write_s": write_s, "papers_per_s": size / write_s,
              "papers_with_sentence_vectors": store.sentences.count(""),
              "disk_mb": {"chroma": folder_mb(settings.store / "chroma"),
                          "sentences": (settings.store / "sentences.sqlite3").stat().st_size / 1e6,
                          "ledger": (settings.store / "ledger.sqlite3").stat().st_size / 1e6}}
    del store
    opens = []
    for _ in range(2):
        started = time.perf_counter()
        assistant = Assistant(settings, Store(settings.store, embedder.name, embedder.dimension),
                              embedder)
        opens.append(time.perf_counter() - started)
    result["open_s"] = {"first": opens[0], "second": opens[1]}
    result["search"] = bench_search(assistant, SEARCHES)
    result["raw_chroma_query"] = _raw_queries(assistant)
    result["sentence_read_ms"] = _sentence_reads(assistant.store, size)
    result.update(rss_mb())
    return result


def _raw_queries(assistant, repeats: int = 5) -> dict:
    """The raw component of a search: Chroma's own nearest-neighbour query of the chunk
    collection for the same query vectors (no BM25, fusion, paper grouping or reads)."""
    vectors = [assistant.embedder.embed_query(query).tolist() for query in SEARCHES]
    chunks = assistant.store._chunks
    chunks.query(query_embeddings=vectors[:1], n_results=10)  # warm-up
    times = []
    for _ in range(repeats):
        for vector in vectors:
            started = time.perf_counter()
            chunks.query(query_embeddings=[vector], n_results=10)
            times.append(time.perf_counter() - started)
    times.sort()
    return {"p50_ms": 1e3 * statistics.median(times), "p95_ms": 1e3 * times[round(0.95 * (len(times) - 1))]}


def _sentence_reads(store, size: int, repeats: int = 20) -> dict:
    rng = random.Random(1)
    times = []
    for _ in range(repeats):
        papers = store.papers([f"syn:{rng.randrange(size)}" for _ in range(5)])
        started = time.perf_counter()
        found = store.sentence_vectors(papers)
        times.append(time.perf_counter() - started)
        assert len(found) == len(papers)
    return {"p50": 1e3 * statistics.median(times), "max": 1e3 * max(times)}


def sample_vectors(embedder, folder: Path, existing: Path | None = None) -> tuple[Path, list]:
    """Ingest the real sample corpus once (or open an `existing` store of it); keep its sentences
    and vectors for the synthetic stores."""
    from assistant.app import Assistant
    from assistant.store import Store

    settings = Settings(store=existing or folder / "sample", sample_corpus=ROOT / "data" / "daily_papers")
    store = Store(settings.store, embedder.name, embedder.dimension, read_only=bool(existing))
    assistant = Assistant(settings, store, embedder)
    if not existing:
        assistant.ingest([settings.sample_corpus])
    papers = assistant.papers()
    stored = assistant.store.sentence_vectors(papers)
    sentences = [p.abstract[s:e] for p in papers for s, e in stored[p.paper_id].spans]
    path = folder / "sample.npz"
    np.savez(path, sentences=np.asarray(sentences, dtype=object),
             chunk_vectors=assistant.store.paper_embeddings([p.paper_id for p in papers]),
             sentence_vectors=np.vstack([stored[p.paper_id].vectors for p in papers]))
    return path, papers


def bench_real(embedder, folder: Path) -> dict:
    """The real Daily Papers days, ingested into new stores in process and with the pool."""
    from assistant.app import Assistant
    from assistant.store import Store

    days = sorted(REAL_DAYS.glob("20*.json"))
    result = {"days": len(days)}
    for processes in (1, 2):
        settings = Settings(store=folder / f"real-{processes}")
        assistant = Assistant(settings, Store(settings.store, embedder.name, embedder.dimension),
                              embedder)
        with embedder.pool(processes):
            started = time.perf_counter()
            report = assistant.ingest(days)
            seconds = time.perf_counter() - started
        result[f"processes_{processes}"] = {
            "papers": report.added, "chunks": report.chunks_embedded,
            "papers_with_sentence_vectors": assistant.store.sentences.count(""),
            "rejected": len(report.rejected),
            "seconds": seconds, "papers_per_s": report.added / seconds}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "out" / "bench_scale.json")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--parts", default="embed,scale,real")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--embed-papers", type=int, default=100)
    parser.add_argument("--sample-store", type=Path, help="a store of the sample corpus made by this "
                        "version, read instead of ingesting the corpus again")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # a child: one size
    parser.add_argument("--sample", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.size:
        with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
            print(json.dumps(bench_size(arguments.size, arguments.sample, Path(folder))))
        return
    from assistant.app import build_embedder

    settings = Settings()
    settings.apply_environment()
    embedder = build_embedder(settings)
    parts = arguments.parts.split(",")
    results = {"cpu_count": os.cpu_count(), "threads": settings.threads,
               "load_average_at_start": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
        sample, papers = sample_vectors(embedder, Path(folder), arguments.sample_store)
        if "embed" in parts:
            results["embed"] = bench_embed(embedder, papers[:arguments.embed_papers], arguments.repeats)
        if "real" in parts:
            results["real"] = bench_real(embedder, Path(folder))
        if "scale" in parts:
            results["scale"] = [json.loads(subprocess.run(
                [sys.executable, __file__, "--size", str(size), "--sample", str(sample)],
                check=True, capture_output=True, text=True).stdout.splitlines()[-1])
                for size in map(int, arguments.sizes.split(","))]
    results["load_average_at_end"] = os.getloadavg()
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
