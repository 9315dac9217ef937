"""Benchmark: the pipeline against its raw components, in one process, on this machine.

    python eval/bench.py [--out eval/out/bench.json] [--synthetic 10000] [--questions 6]

Prints a table and writes JSON. Figures are ratios against the raw component where possible
(pipeline ingest vs the raw embedder on the same texts; the model path's first token vs
llama.cpp's own chat completion of the same prompt), since shared machines are noisy. Answers,
comparisons and the digest run with the default settings (the extractive answer); the model path
with the packaged SmolLM2 on llama.cpp when llama-cpp-python is installed. Larger stores (100k, 1M)
are eval/bench_scale.py's, start-up eval/store_startup.py's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.settings import Settings  # noqa: E402

QUESTIONS = [
    "What does TinyCLIP distil?",
    "How does FerKD adapt labels?",
    "Which dataset was Swin3D pretrained on?",
    "What is the benefit of LoRA for visual tracking?",
    "How do scaling laws predict language model loss?",
    "What problem does cross-modality gradient harmonization address?",
]
SEARCHES = [
    "What does TinyCLIP distil?", "parameter-efficient fine-tuning for trackers",
    "scaling laws for contrastive language-image learning", "medical image segmentation",
    "speech recognition with weak supervision", "remote sensing foundation model",
    "video generation with diffusion", "low-rank adaptation learning rate",
]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def bench_ingest(settings: Settings, embedder) -> dict:
    from assistant.app import Assistant
    from assistant.chunking import Chunker
    from assistant.ingest import deduplicate, embedding_text
    from assistant.sources import parse_paths
    from assistant.store import Store
    from assistant.text import split_sentences

    papers, _ = deduplicate(parse_paths([settings.sample_corpus]).papers)
    chunks = [embedding_text(c) for c in Chunker(settings.chunk_size, settings.chunk_overlap).chunk(papers)]
    texts = chunks + [p.abstract[a:b] for p in papers for a, b in split_sentences(p.abstract)]  # both stored
    embedder.embed(texts[:64])  # warm-up, shared by both sides
    started = time.perf_counter()
    model = getattr(embedder, "_model", None)  # None on ONNX: that embedder is its own raw side
    model.encode(texts, batch_size=32, normalize_embeddings=True) if model else embedder.embed(texts)
    raw = time.perf_counter() - started
    assistant = Assistant(settings, Store(settings.store, embedder.name, embedder.dimension), embedder)
    started = time.perf_counter()
    first = assistant.ingest([settings.sample_corpus])
    pipeline = time.perf_counter() - started
    started = time.perf_counter()
    again = assistant.ingest([settings.sample_corpus])
    reingest = time.perf_counter() - started
    assert first.added == 548 and again.chunks_embedded == 0
    return {"papers": first.added, "chunks": len(chunks), "sentences": len(texts) - len(chunks),
            "raw_embed_s": raw, "pipeline_s": pipeline,
            "overhead": pipeline / raw - 1, "papers_per_s": first.added / pipeline,
            "reingest_s": reingest}, assistant


def bench_search(assistant, queries: list[str], repeats: int = 5) -> dict:
    assistant.search(queries[0])  # warm-up
    times = []
    for _ in range(repeats):
        for query in queries:
            started = time.perf_counter()
            assistant.search(query, 10)
            times.append(time.perf_counter() - started)
    embed_times = []
    for query in queries:
        started = time.perf_counter()
        assistant.embedder.embed_query(query)
        embed_times.append(time.perf_counter() - started)
    return {"p50_ms": 1000 * percentile(times, 50), "p95_ms": 1000 * percentile(times, 95),
            "query_embed_p50_ms": 1000 * percentile(embed_times, 50), "n": len(times)}


def synthetic_store(path: Path, assistant, count: int) -> dict:
    """`count` synthetic abstracts made of real corpus sentences, with embeddings near real ones."""
    from assistant.schema import Chunk, Paper
    from assistant.store import Store, StoredPaper
    from assistant.text import split_sentences

    rng = random.Random(0)
    papers = assistant.papers()
    pool = [p.abstract[s:e] for p in papers for s, e in split_sentences(p.abstract)]
    base = assistant.store.paper_embeddings([p.paper_id for p in papers])
    store = Store(path, assistant.embedder.name, assistant.embedder.dimension)
    noise = np.random.default_rng(0)
    started = time.perf_counter()
    for start in range(0, count, 2000):
        items = []
        for index in range(start, min(start + 2000, count)):
            abstract = " ".join(rng.sample(pool, 5))
            paper = Paper(paper_id=f"syn:{index}", title=f"Synthetic paper {index}", abstract=abstract)
            chunk = Chunk(f"syn:{index}#0", paper.paper_id, paper.title, abstract, 0, len(abstract))
            vector = base[index % len(base)] + noise.normal(0, 0.05, base.shape[1])
            items.append(StoredPaper(paper, [chunk], (vector / np.linalg.norm(vector))[None, :], "2026-01-01"))
        store.write(items)
    return {"abstracts": count, "write_s": time.perf_counter() - started}, store


def bench_answers(assistant, questions: list[str], repeats: int = 3) -> dict:
    """Answers with the configured generator (the extractive default): seconds to the first shown
    sentence and to the whole answer."""
    assistant.ask(questions[0])  # warm-up
    firsts, totals = [], []
    for _ in range(repeats):
        for question in questions:
            started, first = time.perf_counter(), None
            for event in assistant.ask_stream(question):
                if first is None and getattr(event, "shown", False):
                    first = time.perf_counter() - started
            totals.append(time.perf_counter() - started)
            firsts.append(first if first is not None else totals[-1])
    return {"generator": assistant.generator.name, "n": len(totals),
            "first_sentence_p50_s": statistics.median(firsts), "total_p50_s": statistics.median(totals),
            "total_p95_s": percentile(totals, 95)}


def bench_model_answers(assistant, settings: Settings, questions: list[str]) -> dict | None:
    """The opt-in model path (packaged SmolLM2 on llama.cpp, `threads` prefill / `decode_threads`
    decode) against llama.cpp's own chat completion of the same prompts: first token and total."""
    from bench_first_token import raw_first_token, timed_answer

    from assistant.app import Assistant
    from assistant.models import build_generator
    from assistant.models.llama_cpp import llama_cpp_available

    if not llama_cpp_available():
        return None
    model_settings = settings.model_copy(update={"generator": "SmolLM2-135M-Instruct",
                                                 "generator_backend": "llama.cpp"})
    generator = build_generator(model_settings)
    model = Assistant(model_settings, assistant.store, assistant.embedder, generator)
    model.ask(questions[0])  # warm-up
    rows = []
    for question in questions:
        run = timed_answer(model, generator, question)
        if run.get("abstained"):
            continue
        messages = run.pop("messages")
        run["raw_first_token_s"] = raw_first_token(generator, messages)
        rows.append(run)

    def median(key):
        values = [r[key] for r in rows if r[key] is not None]
        return statistics.median(values) if values else float("nan")

    return {"generator": f"{generator.name} (llama.cpp)", "questions": rows,
            "prompt_tokens_p50": median("prompt_tokens"), "prompt_ready_p50_s": median("prompt_ready_s"),
            "first_token_p50_s": median("first_token_s"), "raw_first_token_p50_s": median("raw_first_token_s"),
            "first_sentence_p50_s": median("first_shown_s"), "first_own_p50_s": median("first_own_s"),
            "total_p50_s": median("total_s"), "threads": settings.threads, "decode_threads": settings.decode_threads}


COMPARISONS = [
    "How do TinyCLIP and TinyViT use knowledge distillation differently?",
    "How do LoRA+ and DyLoRA each modify standard LoRA?",
    "How do SVFit, VectorFit and SORSA use the singular value decomposition of pretrained weights?",
]


def bench_compare(assistant) -> dict:
    """Comparisons: resolution, the table and one model call for the paragraph."""
    totals = []
    for question in COMPARISONS:
        started = time.perf_counter()
        assistant.compare(question)
        totals.append(time.perf_counter() - started)
    return {"p50_s": statistics.median(totals), "n": len(totals)}


def bench_digest(assistant) -> dict:
    """The whole sample corpus as one digest: clustering, labels and one model call a topic."""
    from assistant.dates import make_window

    started = time.perf_counter()
    digest = assistant.digest(make_window(every=True))
    total = time.perf_counter() - started
    model = sum(t.answer.seconds for t in digest.topics)
    sentences = [s for t in digest.topics for s in t.answer.sentences if s.shown]
    return {"papers": digest.papers, "topics": len(digest.topics), "total_s": total,
            "paragraphs_s": model, "other_s": total - model,
            "model_sentences_shown": sum(s.action in ("kept", "recited") for s in sentences),
            "sentences_shown": len(sentences)}


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def table(results: dict) -> str:
    ingest, answers, model = results["ingest"], results["answers"], results["model_answers"]
    small, large = results["search_sample"], results["search_synthetic"]
    rows = [
        ("ingest 548 papers (pipeline)", f"{ingest['pipeline_s']:.1f} s",
         f"{ingest['papers_per_s']:.1f} papers/s, {ingest['chunks']} chunks + {ingest['sentences']} sentences"),
        ("  raw embedder, same texts", f"{ingest['raw_embed_s']:.1f} s",
         f"pipeline overhead {100 * ingest['overhead']:+.1f}%"),
        ("re-ingest, unchanged", f"{ingest['reingest_s']:.2f} s", "nothing embedded"),
        ("search, 548 papers", f"p50 {small['p50_ms']:.0f} ms / p95 {small['p95_ms']:.0f} ms",
         f"query embedding p50 {small['query_embed_p50_ms']:.0f} ms"),
        (f"search, {results['synthetic']['abstracts']:,} synthetic",
         f"p50 {large['p50_ms']:.0f} ms / p95 {large['p95_ms']:.0f} ms",
         f"store load {results['synthetic']['load_s']:.1f} s"),
        (f"answer ({answers['generator']}), first sentence", f"p50 {answers['first_sentence_p50_s']:.2f} s",
         f"total p50 {answers['total_p50_s']:.2f} s / p95 {answers['total_p95_s']:.2f} s"),
    ]
    if model:
        rows += [
            (f"answer ({model['generator']}), first token", f"p50 {model['first_token_p50_s']:.2f} s",
             f"raw llama.cpp, same prompt: {model['raw_first_token_p50_s']:.2f} s "
             f"({model['prompt_tokens_p50']:.0f} tokens; prompt ready at {model['prompt_ready_p50_s']:.3f} s)"),
            ("  first sentence (quoted) / model's first checked one / total",
             f"p50 {model['first_sentence_p50_s']:.2f} s / {model['first_own_p50_s']:.2f} s / "
             f"{model['total_p50_s']:.2f} s", f"threads {model['threads']} prefill, "
             f"{model['decode_threads']} decode"),
        ]
    rows += [
        ("compare (table + paragraph)", f"p50 {results['compare']['p50_s']:.1f} s",
         f"{results['compare']['n']} comparisons"),
        (f"digest, {results['digest']['papers']} papers", f"{results['digest']['total_s']:.0f} s",
         f"{results['digest']['topics']} topics; paragraphs {results['digest']['paragraphs_s']:.0f} s, "
         f"clustering + evidence {results['digest']['other_s']:.0f} s"),
        ("peak memory (RSS)", f"{results['peak_memory_mb']:.0f} MB", ""),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {value:<26}  {note}" for name, value, note in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "out" / "bench.json")
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    parser.add_argument("--threads", type=int, default=None)
    arguments = parser.parse_args()
    from assistant.app import Assistant, build_embedder

    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        overrides = {"store": Path(folder) / "store", "sample_corpus": ROOT / "data" / "daily_papers"}
        if arguments.threads:
            overrides["threads"] = arguments.threads
        if not os.environ.get("ASSISTANT_MODEL_CACHE"):
            overrides["model_cache"] = ROOT / "store" / "models"
        settings = Settings(**overrides)
        settings.apply_environment()
        embedder = build_embedder(settings)
        results = {"threads": settings.threads, "cpu_count": os.cpu_count(),
                   "load_average_at_start": os.getloadavg()}
        results["ingest"], assistant = bench_ingest(settings, embedder)
        results["search_sample"] = bench_search(assistant, SEARCHES)
        results["synthetic"], store = synthetic_store(Path(folder) / "synthetic", assistant,
                                                      arguments.synthetic)
        started = time.perf_counter()
        large = Assistant(settings, store, embedder)
        results["synthetic"]["load_s"] = time.perf_counter() - started
        results["search_synthetic"] = bench_search(large, SEARCHES)
        results["answers"] = bench_answers(assistant, QUESTIONS[:arguments.questions])
        results["model_answers"] = bench_model_answers(assistant, settings, QUESTIONS[:arguments.questions])
        results["compare"] = bench_compare(assistant)
        results["digest"] = bench_digest(assistant)
        results["peak_memory_mb"] = peak_memory_mb()
        results["load_average_at_end"] = os.getloadavg()
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(results, indent=2))
    print(table(results))
    print(f"\nwritten to {arguments.out}")


if __name__ == "__main__":
    main()
