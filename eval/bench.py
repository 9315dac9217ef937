"""Benchmark: the pipeline against its raw components, in one process, on this machine.

    python eval/bench.py [--out eval/out/bench.json] [--synthetic 100000] [--questions 6]

Prints a table and writes JSON. Figures are ratios against the raw component where possible
(pipeline ingest vs raw SentenceTransformer.encode on the same texts; answer vs raw
model.generate on the same prompt and token count), since shared machines are noisy.
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

    papers, _ = deduplicate(parse_paths([settings.sample_corpus]).papers)
    texts = [embedding_text(c) for c in Chunker(settings.chunk_size, settings.chunk_overlap).chunk(papers)]
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
    return {"papers": first.added, "chunks": len(texts), "raw_embed_s": raw, "pipeline_s": pipeline,
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


class _Timed:
    """Wraps the generator to time its first piece and keep what it streamed."""

    def __init__(self, inner):
        self.inner, self.name = inner, inner.name
        self.started = self.first_piece = None
        self.text = ""

    def stream(self, messages, max_new_tokens=None):
        for piece in self.inner.stream(messages, max_new_tokens):
            if self.first_piece is None:
                self.first_piece = time.perf_counter() - self.started
            self.text += piece
            yield piece


def bench_answers(assistant, questions: list[str]) -> dict:
    """Pipeline answer vs raw model.generate on the same messages and the same number of tokens."""
    import torch

    from assistant.evidence import format_sources
    from assistant.prompts import load_prompt

    generator = assistant.generator
    tokenizer, model = generator._tokenizer, generator._model
    prompt = load_prompt("answer")
    assistant.ask(questions[0])  # warm-up
    rows = []
    for question in questions:
        timed = assistant._generator = _Timed(generator)
        timed.started = started = time.perf_counter()
        first_sentence = None
        for event in assistant.ask_stream(question):
            if first_sentence is None and hasattr(event, "action"):
                first_sentence = time.perf_counter() - started
        total = time.perf_counter() - started
        if event.abstained:
            continue
        messages = prompt.messages(question=question, sources=format_sources(event.evidence))
        inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                               return_tensors="pt", return_dict=True)
        tokens = max(generator.count_tokens(timed.text), 1)
        with torch.inference_mode():
            started = time.perf_counter()
            model.generate(**inputs, max_new_tokens=1, do_sample=False)
            raw_first = time.perf_counter() - started
            started = time.perf_counter()
            model.generate(**inputs, max_new_tokens=tokens, min_new_tokens=tokens, do_sample=False)
            raw_total = time.perf_counter() - started
        rows.append({"question": question, "prompt_tokens": int(inputs["input_ids"].shape[1]),
                     "generated_tokens": tokens, "pipeline_first_token_s": timed.first_piece,
                     "pipeline_first_sentence_s": first_sentence, "pipeline_total_s": total,
                     "raw_first_token_s": raw_first, "raw_total_s": raw_total})
    assistant._generator = generator
    return _answer_summary(rows)


def _answer_summary(rows: list[dict]) -> dict:
    def median(key):
        return statistics.median(r[key] for r in rows)

    pipeline = sum(r["pipeline_total_s"] for r in rows)
    raw = sum(r["raw_total_s"] for r in rows)
    tokens = sum(r["generated_tokens"] for r in rows)
    return {"questions": rows, "overhead": pipeline / raw - 1,
            "first_token_p50_s": median("pipeline_first_token_s"),
            "raw_first_token_p50_s": median("raw_first_token_s"),
            "first_sentence_p50_s": median("pipeline_first_sentence_s"),
            "pipeline_total_p50_s": median("pipeline_total_s"),
            "raw_total_p50_s": median("raw_total_s"),
            "decode_tokens_per_s": tokens / raw}


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
    ingest, answers = results["ingest"], results["answers"]
    small, large = results["search_sample"], results["search_synthetic"]
    rows = [
        ("ingest 548 papers (pipeline)", f"{ingest['pipeline_s']:.1f} s",
         f"{ingest['papers_per_s']:.1f} papers/s, {ingest['chunks']} chunks"),
        ("  raw embedder, same texts", f"{ingest['raw_embed_s']:.1f} s",
         f"pipeline overhead {100 * ingest['overhead']:+.1f}%"),
        ("re-ingest, unchanged", f"{ingest['reingest_s']:.2f} s", "nothing embedded"),
        ("search, 548 papers", f"p50 {small['p50_ms']:.0f} ms / p95 {small['p95_ms']:.0f} ms",
         f"query embedding p50 {small['query_embed_p50_ms']:.0f} ms"),
        (f"search, {results['synthetic']['abstracts']:,} synthetic",
         f"p50 {large['p50_ms']:.0f} ms / p95 {large['p95_ms']:.0f} ms",
         f"store load {results['synthetic']['load_s']:.1f} s"),
        ("answer, first generated token", f"p50 {answers['first_token_p50_s']:.2f} s",
         f"raw generate first token p50 {answers['raw_first_token_p50_s']:.2f} s"),
        ("answer, first checked sentence", f"p50 {answers['first_sentence_p50_s']:.2f} s", ""),
        ("answer, total", f"p50 {answers['pipeline_total_p50_s']:.2f} s",
         f"raw generate p50 {answers['raw_total_p50_s']:.2f} s; overhead "
         f"{100 * answers['overhead']:+.1f}%; {answers['decode_tokens_per_s']:.0f} tok/s"),
        ("compare (table + paragraph)", f"p50 {results['compare']['p50_s']:.1f} s",
         f"{results['compare']['n']} comparisons, one model call each"),
        (f"digest, {results['digest']['papers']} papers", f"{results['digest']['total_s']:.0f} s",
         f"{results['digest']['topics']} topics = model calls; paragraphs "
         f"{results['digest']['paragraphs_s']:.0f} s, clustering + evidence "
         f"{results['digest']['other_s']:.0f} s; {results['digest']['model_sentences_shown']}/"
         f"{results['digest']['sentences_shown']} shown sentences are the model's"),
        ("peak memory (RSS)", f"{results['peak_memory_mb']:.0f} MB", ""),
    ]
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {value:<26}  {note}" for name, value, note in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "out" / "bench.json")
    parser.add_argument("--synthetic", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    parser.add_argument("--threads", type=int, default=None)
    arguments = parser.parse_args()
    from assistant.app import Assistant, build_embedder

    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        overrides = {"store": Path(folder) / "store", "sample_corpus": ROOT / "data" / "daily_papers",
                     "generator": "SmolLM2-135M-Instruct"}  # answers are compared with raw generate
        if arguments.threads:
            overrides["threads"] = arguments.threads
        if not os.environ.get("ASSISTANT_MODEL_CACHE"):
            overrides["model_cache"] = ROOT / "store" / "models"
        settings = Settings(**overrides)
        settings.apply_environment()
        embedder = build_embedder(settings)
        results = {"threads": settings.threads, "cpu_count": os.cpu_count()}
        results["ingest"], assistant = bench_ingest(settings, embedder)
        results["search_sample"] = bench_search(assistant, SEARCHES)
        results["synthetic"], store = synthetic_store(Path(folder) / "synthetic", assistant,
                                                      arguments.synthetic)
        started = time.perf_counter()
        large = Assistant(settings, store, embedder)
        results["synthetic"]["load_s"] = time.perf_counter() - started
        results["search_synthetic"] = bench_search(large, SEARCHES)
        results["answers"] = bench_answers(assistant, QUESTIONS[:arguments.questions])
        results["compare"] = bench_compare(assistant)
        results["digest"] = bench_digest(assistant)
        results["peak_memory_mb"] = peak_memory_mb()
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(results, indent=2))
    print(table(results))
    print(f"\nwritten to {arguments.out}")


if __name__ == "__main__":
    main()
