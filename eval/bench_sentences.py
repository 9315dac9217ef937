"""Benchmark: stored sentence vectors against embedding the retrieved abstracts at question time.

    python eval/bench_sentences.py [--out eval/out/bench_sentences.json] [--repeats 3]
        [--generators extractive,SmolLM2-135M-Instruct] [--backend transformers]

In one process, on the real sample corpus with the real embedder: ingest with and without sentence
vectors (alternately), then every question answered "before" (evidence selection embeds every
sentence of the retrieved abstracts and a fresh judge embeds the evidence again, as the code did
before sentence vectors were stored) and "after" (both read the stored rows), alternately, each as
a fresh process would (new judge and memory), repeated. Reports medians and after/before ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "eval")]

from bench import QUESTIONS  # noqa: E402

from assistant.settings import Settings  # noqa: E402



def bench_ingest(settings: Settings, embedder, folder: Path, repeats: int) -> dict:
    """Ingest of the sample corpus with sentence vectors and without (chunks only), alternately."""
    from assistant import ingest
    from assistant.app import Assistant
    from assistant.store import Store

    times: dict[str, list[float]] = {"with": [], "without": []}
    for repeat in range(repeats):
        for variant in ("without", "with"):
            path = folder / f"ingest-{variant}-{repeat}"
            assistant = Assistant(settings.model_copy(update={"store": path}),
                                  Store(path, embedder.name, embedder.dimension), embedder)
            patch = mock.patch.object(ingest, "split_sentences", lambda text: []) \
                if variant == "without" else mock.patch.object(ingest, "WRITE_BATCH", ingest.WRITE_BATCH)
            with patch:
                started = time.perf_counter()
                report = assistant.ingest([settings.sample_corpus])
                times[variant].append(time.perf_counter() - started)
            assert report.added == 548
    sentences = assistant.store.sentences.count("")
    with_s, without_s = statistics.median(times["with"]), statistics.median(times["without"])
    return {"papers": 548, "chunks": report.chunks_embedded, "sentences": sentences,
            "with_sentences_s": with_s, "chunks_only_s": without_s, "ratio": with_s / without_s,
            "sentence_file_mb": (path / "sentences.sqlite3").stat().st_size / 1e6,
            "runs": times}, path


class _Timed:
    """Times the generator's first piece."""

    def __init__(self, inner):
        self.inner, self.name = inner, inner.name
        self.started = self.first_piece = None

    def stream(self, messages, max_new_tokens=None):
        for piece in self.inner.stream(messages, max_new_tokens):
            if self.first_piece is None:
                self.first_piece = time.perf_counter() - self.started
            yield piece


def _fresh(assistant, variant: str, generator) -> None:
    """The judge and sentence memory a new process would have, stored rows used or not."""
    from assistant.evidence import SentenceMemory
    from assistant.models.judges import EvidenceJudge

    embedder = assistant.embedder
    if variant == "before":
        assistant.sentences = SentenceMemory(embedder, lambda papers: {})
        assistant.judge = EvidenceJudge(embedder, assistant.settings.support_threshold)
    else:
        assistant.sentences = SentenceMemory(embedder, assistant.store.sentence_vectors)
        assistant.judge = EvidenceJudge(assistant.sentences, assistant.settings.support_threshold)
    llama = getattr(generator, "_llama", None)
    if llama is not None:  # llama.cpp would reuse the same prompt's KV cache from the last answer
        llama.reset()
    assistant._generator = _Timed(generator)


def _ask(assistant, question: str) -> dict:
    started = assistant._generator.started = time.perf_counter()
    first_sentence = None
    for event in assistant.ask_stream(question):
        if first_sentence is None and hasattr(event, "action"):
            first_sentence = time.perf_counter() - started
    return {"first_sentence_s": first_sentence, "total_s": time.perf_counter() - started,
            "first_token_s": assistant._generator.first_piece, "text": event.text}


def bench_answers(assistant, repeats: int) -> dict:
    generator = assistant.generator
    _fresh(assistant, "after", generator)
    _ask(assistant, QUESTIONS[0])  # warm-up
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    for _ in range(repeats):
        for question in QUESTIONS:
            for variant in ("before", "after"):
                _fresh(assistant, variant, generator)
                runs[variant].append({"question": question, **_ask(assistant, question)})
    same = all(b["text"] == a["text"] for b, a in zip(runs["before"], runs["after"]))
    summary = {"generator": generator.name, "answers_identical": same, "runs": runs}
    for key in ("first_sentence_s", "first_token_s", "total_s"):
        values = {v: [r[key] for r in runs[v] if r[key] is not None] for v in runs}
        if all(values.values()):
            medians = {v: statistics.median(values[v]) for v in values}
            summary[key] = {**medians, "ratio": medians["after"] / medians["before"]}
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "out" / "bench_sentences.json")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--ingest-repeats", type=int, default=2)
    parser.add_argument("--generators", default="extractive,SmolLM2-135M-Instruct")
    parser.add_argument("--backend", default="transformers")
    parser.add_argument("--store", type=Path, help="answer from this copy of a sample-corpus store "
                        "(made by this version) instead of ingesting; skips the ingest figures")
    arguments = parser.parse_args()
    from assistant.app import Assistant, build_embedder
    from assistant.store import Store

    results = {"cpu_count": os.cpu_count(), "load_average": os.getloadavg()}
    with tempfile.TemporaryDirectory(prefix="bench-sentences-") as folder:
        settings = Settings(store=Path(folder) / "store", sample_corpus=ROOT / "data" / "daily_papers",
                            generator_backend=arguments.backend)
        settings.apply_environment()
        embedder = build_embedder(settings)
        if arguments.store:
            path = arguments.store
        else:
            results["ingest"], path = bench_ingest(settings, embedder, Path(folder),
                                                   arguments.ingest_repeats)
        results["answers"] = {}
        for name in arguments.generators.split(","):
            answer_settings = settings.model_copy(update={"store": path, "generator": name})
            assistant = Assistant(answer_settings, Store(path, embedder.name, embedder.dimension),
                                  embedder)
            results["answers"][name] = bench_answers(assistant, arguments.repeats)
    results["threads"] = settings.threads
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(results, indent=2))
    print(json.dumps({"ingest": {k: v for k, v in results.get("ingest", {}).items() if k != "runs"},
                      "answers": {n: {k: v for k, v in a.items() if k != "runs"}
                                  for n, a in results["answers"].items()}}, indent=1))


if __name__ == "__main__":
    main()
