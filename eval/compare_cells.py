"""Table-cell accuracy of comparisons on hand-labelled rows, and the calibration of row thresholds.

eval/compare_cells.jsonl holds twelve papers of the sample corpus, each with the sentences of its
abstract that answer each row (problem, key idea, data / scale, results, and the question of the
comparison it belongs to; an empty list: the abstract does not state it). Half are `tune`, half
`test`. A cell is right when it is empty and the row's list is, or when most of its sentences
are in the list.

    python eval/compare_cells.py            # accuracy on the test half with the shipped thresholds
    python eval/compare_cells.py --tune     # choose thresholds on the tune half, then report test
    python eval/compare_cells.py --model X.gguf   # an instruct model names each row's sentence
                                                  # (prompts/cell_sentence.yaml), next to the embedder
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.cells import QUESTION_ROW, ROWS, RowQueries, pick_cells, question_row  # noqa: E402
from assistant.sources import parse_paths  # noqa: E402
from assistant.text import split_sentences  # noqa: E402

LABELS = ROOT / "eval" / "compare_cells.jsonl"
GRID = [round(0.1 + 0.025 * step, 3) for step in range(21)]  # 0.10 .. 0.60


def labelled(split: str) -> list[dict]:
    return [row for row in map(json.loads, LABELS.read_text().splitlines()) if row["split"] == split]


def corpus_papers(titles: set[str]) -> dict:
    found = {}
    for paper in parse_paths([ROOT / "data"]).papers:
        if paper.title in titles:
            found.setdefault(paper.title, paper)
    return found


def cell_right(paper, span, gold: list[str]) -> bool:
    if span is None:
        return not gold
    start, end = span
    chosen = [paper.abstract[s:e] for s, e in split_sentences(paper.abstract) if s >= start and e <= end]
    return 2 * sum(text in gold for text in chosen) > len(chosen)


def accuracy(items: list[dict], papers: dict, embedder, fixed=ROWS, question_threshold=None) -> dict:
    """Per-row and overall share of right cells."""
    right: dict[str, list[bool]] = {}
    for item in items:
        paper = papers[item["title"]]
        pair = [papers[i["title"]] for i in items if i["question"] == item["question"]]
        row = question_row(item["question"], pair)
        if question_threshold is not None:
            row = dataclasses.replace(row, threshold=question_threshold)
        picks = pick_cells(RowQueries.embed([row], embedder, fixed), paper, embedder)
        for name, gold in item["answers"].items():
            span = picks.get(name)
            right.setdefault(name, []).append(cell_right(paper, span and span[0], gold))
    report = {name: sum(values) / len(values) for name, values in right.items()}
    everything = [v for values in right.values() for v in values]
    report["all"] = sum(everything) / len(everything)
    return report


class CachedEmbedder:
    """The real embedder, each text embedded once (tuning re-scores the same sentences)."""

    def __init__(self, embedder):
        self.embedder, self.name, self.dimension = embedder, embedder.name, embedder.dimension
        self.vectors: dict[str, np.ndarray] = {}

    def embed(self, texts):
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.vectors.update(zip(missing, self.embedder.embed(missing)))
        return np.stack([self.vectors[t] for t in texts]) if texts else self.embedder.embed([])

    def embed_query(self, text):
        return self.embed([text])[0]


def tune(items: list[dict], papers: dict, embedder) -> tuple[tuple, float]:
    """Coordinate ascent over the grid, two passes: each row's threshold, then the question's."""
    fixed, question = [dataclasses.replace(r, threshold=0.45) for r in ROWS], 0.45
    for _ in range(2):
        for index in range(len(fixed)):
            best = max(GRID, key=lambda t: (accuracy(items, papers, embedder, _with(fixed, index, t),
                                                     question)["all"], -abs(t - 0.3)))
            fixed = _with(fixed, index, best)
        question = max(GRID, key=lambda t: (accuracy(items, papers, embedder, fixed, t)["all"],
                                            -abs(t - 0.3)))
    return tuple(fixed), question


def _with(rows, index, threshold):
    rows = list(rows)
    rows[index] = dataclasses.replace(rows[index], threshold=threshold)
    return rows


# What each row asks, in the words of the model's question (the user's question row is added per pair)
MODEL_ASKS = {"problem": "the problem, challenge or limitation that the paper addresses",
              "key idea": "the paper's key idea: the method or model it proposes",
              "data / scale": "the data the paper uses: its datasets, benchmarks, data size or model size",
              "results": "the paper's main results"}


def model_sentence(generator, prompt, paper, spans, asked: str) -> int | None:
    """The sentence index the model names for a row, None for "none"; -1 when its reply is not a
    sentence number in range (then the embedder's cell stands: only checked output is used)."""
    numbered = "\n".join(f"[{k}] {paper.abstract[s:e]}" for k, (s, e) in enumerate(spans, 1))
    reply = generator.complete(prompt.messages(title=paper.title, sentences=numbered, asked=asked), 4)
    text = reply.strip().strip("[]. ")
    if not text.isdigit() or int(text) > len(spans):
        return -1
    return int(text) - 1 if int(text) else None


def model_accuracy(items: list[dict], papers: dict, embedder, generator) -> dict:
    """Share of right cells with the embedder's picks and with the model's, and seconds a paper."""
    import time

    from assistant.cells import sentence_spans, without_names
    from assistant.prompts import load_prompt

    # this checkout's prompts/ (a shared editable install may point assistant.prompt_files elsewhere)
    prompt, right, seconds = load_prompt("cell_sentence", ROOT / "prompts"), {"embedder": [], "model": []}, []
    for item in items:
        paper = papers[item["title"]]
        pair = [papers[i["title"]] for i in items if i["question"] == item["question"]]
        picks = pick_cells(RowQueries.embed([question_row(item["question"], pair)], embedder), paper, embedder)
        spans, started = sentence_spans(paper), time.perf_counter()
        asks = {**MODEL_ASKS, QUESTION_ROW: f'the answer to the question "{without_names(item["question"], pair)}"'}
        for name, gold in item["answers"].items():
            chosen = picks.get(name) and picks[name][0]
            index = model_sentence(generator, prompt, paper, spans, asks[name])
            mine = chosen if index == -1 else (spans[index] if index is not None else None)
            right["embedder"].append(cell_right(paper, chosen, gold))
            right["model"].append(cell_right(paper, mine, gold))
        seconds.append(time.perf_counter() - started)
    return {**{k: sum(v) / len(v) for k, v in right.items()}, "cells": len(right["model"]),
            "seconds_a_paper": sum(seconds) / len(seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tune", action="store_true", help="choose thresholds on the tune half")
    parser.add_argument("--model", type=Path, default=None, help="a GGUF instruct model to compare")
    args = parser.parse_args()
    from assistant.models.embedders import SentenceTransformerEmbedder

    embedder = CachedEmbedder(SentenceTransformerEmbedder())
    tune_items, test_items = labelled("tune"), labelled("test")
    papers = corpus_papers({item["title"] for item in tune_items + test_items})
    if args.model:
        from assistant.models.llama_cpp import LlamaCppGenerator

        generator = LlamaCppGenerator(args.model, max_new_tokens=4, threads=1)
        for split, items in (("tune", tune_items), ("test", test_items)):
            print(f"{split}:", json.dumps(model_accuracy(items, papers, embedder, generator)))
        return
    fixed, question = ROWS, None
    if args.tune:
        fixed, question = tune(tune_items, papers, embedder)
        print("thresholds:", {row.name: row.threshold for row in fixed}, QUESTION_ROW, question)
        print("tune:", json.dumps(accuracy(tune_items, papers, embedder, fixed, question)))
    print("test:", json.dumps(accuracy(test_items, papers, embedder, fixed, question)))


if __name__ == "__main__":
    main()
