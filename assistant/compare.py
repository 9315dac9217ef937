"""Papers -> Comparison: a cited table (one column a paper, one row an aspect) and a checked
paragraph on the differences.

Every cell is a sentence of its own paper's abstract, chosen for its row and cited; a row the
abstract says nothing about reads "not stated in the abstract" (a row needs a sentence with a cue
for it: a data row needs data, sizes or benchmarks). The model only phrases the paragraph, from the
cells, and each of its sentences is checked like any answer's.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.citations import citations_for
from assistant.models.embedders import Embedder
from assistant.models.generators import Generator
from assistant.models.judges import SupportJudge
from assistant.prompts import Prompt, format_sources
from assistant.schema import Answer, Cell, Comparison, Evidence, Paper, Reason
from assistant.text import CONTRIBUTION, coined_names, content_terms, is_boilerplate, split_sentences
from assistant.writing import shown_text, write_checked

QUESTION_ROW = "on the question"
CUE_BONUS = 0.15  # a sentence with its row's cue words beats a merely similar one
POSITION_WEIGHT = 0.1  # abstracts state the problem first and the results last
OVERLAP_WEIGHT = 0.3  # as in evidence selection: question words in the sentence
PARAGRAPH_ROWS = (QUESTION_ROW, "key idea", "results")  # what the model sees for the paragraph
MIN_PAPERS, MAX_PAPERS = 2, 4


@dataclass(frozen=True)
class Aspect:
    """A row of the table: what it asks of an abstract, and the words a sentence must have."""

    name: str
    query: str
    cue: re.Pattern
    position: float  # -1 prefers early sentences, +1 late ones
    priority: int  # rows pick their sentence in this order, each sentence in one row at most


ASPECTS = (
    Aspect("problem", "the problem, challenge or limitation of existing methods that this work addresses",
           re.compile(r"challeng|problem|limitation|however|suffer|difficult|remain|\black|costly|"
                      r"expensive|bottleneck|existing|struggl|hinder|\bissue|inefficien", re.I), -1.0, 2),
    Aspect("key idea", "we propose a new method, model or framework that introduces",
           CONTRIBUTION, -0.5, 0),
    Aspect("data / scale", "trained and evaluated on datasets and benchmarks, with tokens, parameters "
           "and model sizes",
           re.compile(r"dataset|\bdata\b|corpus|corpora|benchmark|\btokens?\b|parameters?\b|"
                      r"\bimages\b|\bvideos\b|\bhours\b|\bsamples\b|\bscale|\b\d+(?:\.\d+)?\s?[BMKT]\b|"
                      r"million|billion|trillion", re.I), 0.0, 3),
    Aspect("results", "experiments show it outperforms baselines and achieves state-of-the-art accuracy",
           re.compile(r"outperform|achiev|improv|state-of-the-art|\bsota\b|accuracy|surpass|\bgains?\b|"
                      r"\d(?:\.\d+)?\s?%|\bbetter\b|faster|speed-?up|reduc", re.I), 1.0, 1),
)


@dataclass(frozen=True)
class CompareSettings:
    min_evidence: float = 0.595  # the question row, like an answer's evidence, needs this score
    max_new_tokens: int = 160


def table_cells(question: str | None, papers: Sequence[Paper], embedder: Embedder,
                min_evidence: float) -> tuple[list[str], list[Cell]]:
    """Rows and cells, cells numbered by paper then row: [1]-[n] are the first paper's."""
    rows = ([QUESTION_ROW] if question else []) + [a.name for a in ASPECTS]
    focus = without_names(question, papers) if question else None
    queries = Queries(focus, embedder.embed_query(focus) if focus else None,
                      embedder.embed([a.query for a in ASPECTS]))
    picks = {p.paper_id: _pick_sentences(queries, p, embedder, min_evidence) for p in papers}
    cells, marker = [], 0
    for paper in papers:
        for row in rows:
            span = picks[paper.paper_id].get(row)
            if span is None:
                cells.append(Cell(row, paper.paper_id, None))
                continue
            marker += 1
            (start, end), score = span
            cells.append(Cell(row, paper.paper_id, Evidence(
                marker, paper.paper_id, paper.title, paper.abstract[start:end], start, end, score)))
    order = {row: i for i, row in enumerate(rows)}
    cells.sort(key=lambda c: order[c.row])  # row by row, as the table reads
    return rows, cells


def without_names(question: str, papers: Sequence[Paper]) -> str:
    """The question without the compared papers' names: what it asks of each of them.
    ("How do TinyCLIP and TinyViT use distillation?" -> "How do and use distillation?")"""
    for paper in papers:
        for name in [paper.title.partition(":")[0].strip(), *coined_names(paper.title)]:
            question = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "", question)
    return " ".join(question.split())


@dataclass(frozen=True)
class Queries:
    """What each paper's sentences are scored against, embedded once for all papers."""

    question: str | None
    question_vector: np.ndarray | None
    aspect_vectors: np.ndarray  # one row an aspect


def _pick_sentences(queries: Queries, paper: Paper, embedder: Embedder,
                    min_evidence: float) -> dict[str, tuple[tuple[int, int], float]]:
    """row -> (sentence span, score): each sentence in one row at most, the question row first."""
    spans = [s for s in split_sentences(paper.abstract) if not is_boilerplate(paper.abstract[s[0]:s[1]])]
    if not spans:
        return {}
    texts = [paper.abstract[s:e] for s, e in spans]
    vectors = embedder.embed(texts)
    chosen: dict[str, tuple[tuple[int, int], float]] = {}
    used: set[int] = set()
    if queries.question:
        asked = content_terms(queries.question)
        scores = vectors @ queries.question_vector + OVERLAP_WEIGHT * np.asarray(
            [len(asked & content_terms(t)) / max(len(asked), 1) for t in texts])
        best = int(np.argmax(scores))
        if scores[best] >= min_evidence:
            chosen[QUESTION_ROW] = (spans[best], float(scores[best]))
            used.add(best)
    aspect_scores = _aspect_scores(texts, vectors, queries.aspect_vectors)
    for row in np.argsort([a.priority for a in ASPECTS], kind="stable"):
        ranked = [int(i) for i in np.argsort(-aspect_scores[row], kind="stable")
                  if np.isfinite(aspect_scores[row, i]) and int(i) not in used]
        if ranked:
            chosen[ASPECTS[row].name] = (spans[ranked[0]], float(aspect_scores[row, ranked[0]]))
            used.add(ranked[0])
    return chosen


def _aspect_scores(texts: list[str], vectors: np.ndarray, aspects: np.ndarray) -> np.ndarray:
    """(aspects x sentences): similarity to the aspect, cue bonus and position prior; -inf where
    the sentence lacks the aspect's cue words."""
    similarity = aspects @ vectors.T
    place = np.linspace(-1.0, 1.0, len(texts)) if len(texts) > 1 else np.zeros(1)
    scores = np.full(similarity.shape, -np.inf)
    for row, aspect in enumerate(ASPECTS):
        for col, text in enumerate(texts):
            if aspect.cue.search(text):
                scores[row, col] = (similarity[row, col] + CUE_BONUS
                                    + POSITION_WEIGHT * aspect.position * place[col])
    return scores


def compare(question: str, papers: Sequence[Paper], missing: Sequence[str], embedder: Embedder,
            generator: Generator, judge: SupportJudge, prompt: Prompt,
            settings: CompareSettings, asked: bool = True) -> Comparison:
    """The table, then the paragraph: the model writes from the cells of PARAGRAPH_ROWS and
    each sentence is checked against them; if none survives, each paper's key idea is quoted."""
    started = time.perf_counter()
    rows, cells = table_cells(question if asked else None, papers, embedder, settings.min_evidence)
    evidence = sorted((c.evidence for c in cells if c.evidence), key=lambda e: e.marker)
    shown = [e for c in cells if c.row in PARAGRAPH_ROWS and (e := c.evidence)]
    shown.sort(key=lambda e: e.marker)
    fallback = _key_ideas(cells, papers)
    messages = prompt.messages(question=question, sources=format_sources(shown))
    checks = list(write_checked(messages, shown, generator, judge, settings.max_new_tokens, fallback))
    markers = [c.marker for c in cells if c.marker] + [m for s in checks if s.shown for m in s.markers]
    answer = Answer(question=question, text=shown_text(checks), abstained=False,
                    citations=citations_for(markers, evidence), passages=[], evidence=evidence,
                    sentences=checks, prompt=prompt.name,
                    models={"embedder": embedder.name, "generator": generator.name,
                            "judge": type(judge).__name__},
                    seconds=time.perf_counter() - started)
    return Comparison(question, list(papers), rows, cells, answer, list(missing))


def _key_ideas(cells: Sequence[Cell], papers: Sequence[Paper]) -> list[Evidence]:
    """One sentence a paper for the quoted fallback: its question cell, else its key idea."""
    picked = []
    for paper in papers:
        for row in (QUESTION_ROW, "key idea"):
            cell = next((c for c in cells if c.paper_id == paper.paper_id and c.row == row), None)
            if cell and cell.evidence:
                picked.append(cell.evidence)
                break
    return picked


def not_compared(question: str, papers: Sequence[Paper], missing: Sequence[str], reason: Reason,
                 models: dict[str, str]) -> Comparison:
    """A comparison that cannot be made (papers missing, or fewer than two): says why, cites nothing."""
    answer = Answer(question=question, text="", abstained=True, citations=[], passages=[],
                    models=models, reason=reason)
    return Comparison(question, list(papers), [], [], answer, list(missing))
