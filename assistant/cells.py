"""Which sentence of an abstract answers each row of a comparison table.

Every row asks something (the problem, the key idea, the data and scale, the results, the user's
question or a named aspect); each is a few phrasings embedded once per comparison. A sentence's
score for a row is its best similarity to those phrasings plus a small position prior (abstracts
state the problem early and results late). A row takes a sentence only at or above its own
threshold, calibrated on the tune half of eval/compare_cells.jsonl (eval/compare_cells.py), so a
row is "not stated" only when no sentence bears on it. Asked rows (the question, named aspects)
choose first; the fixed rows then share out the rest by an optimal assignment (a sentence in one
row at most) and take an already used sentence only when no other one clears their threshold.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.models.embedders import Embedder
from assistant.schema import Paper
from assistant.text import CONTRIBUTION, coined_names, content_terms, is_boilerplate, split_sentences

QUESTION_ROW = "on the question"
POSITION_WEIGHT = 0.15
CUE_WEIGHT = 0.3  # chosen with the thresholds on the tune half (README, Compare)
QUESTION_ROLE_WEIGHT = 1.0  # the question row also leans to what the paper does (its key idea)
QUESTION_SPAN = 3  # the question row may quote up to this many consecutive sentences
SPAN_MARGIN = 0.9  # a neighbour joins the question's sentence when it scores this share of it
LIST_SPAN = 4  # an enumeration the abstract makes ("first ..., then ..., finally ...") stays whole
_LIST_START = re.compile(r"^(?:specifically, )?(?:we )?first(?:ly)?\b|\bwe first\b", re.I)
_LIST_NEXT = re.compile(r"^(?:second(?:ly)?|third(?:ly)?|then|next|finally|lastly|we then|"
                        r"in addition|additionally)\b", re.I)


@dataclass(frozen=True)
class Row:
    """A row of the table: the phrasings that say what it asks, and the score a sentence needs."""

    name: str
    queries: tuple[str, ...]
    threshold: float
    position: float = 0.0  # -1 prefers early sentences, +1 late ones
    cue: re.Pattern | None = None  # words that make a sentence likelier to answer it (a bonus, not a filter)


# Thresholds: eval/compare_cells.py --tune (tune half of the labelled rows); see the README, Compare.
ROWS = (
    Row("problem", ("However, existing methods suffer from a limitation: they are costly and inefficient.",
                    "It remains an open question how to solve this challenging problem.",
                    "the problem or challenge that this work addresses"), 0.30, -1.0,
        re.compile(r"challeng|problem|limitation|however|suffer|difficult|remain|\black|costly|"
                   r"expensive|bottleneck|inefficien|question of|restrict|hinder|wasteful", re.I)),
    Row("key idea", ("To address this, we propose a novel framework that",
                     "In this paper, we introduce a new method, called X, which",
                     "The key idea of our approach is to"), 0.475, -0.5, CONTRIBUTION),
    Row("data / scale", ("We train and evaluate on datasets and benchmarks such as ImageNet, COCO and GLUE.",
                         "trained on millions of images, thousands of hours of audio or billions of tokens",
                         "a model with millions or billions of parameters"), 0.425, 0.0,
        re.compile(r"dataset|\bdata\b|corpus|benchmark|\btokens?\b|parameters?\b|\bhours\b|"
                   r"\b[A-Z][\w-]*\d[\w-]*\b|million|billion|\b\d+(?:\.\d+)?\s?[BMK]\b", re.I)),
    Row("results", ("Experiments show that our method outperforms the baselines and achieves state-of-the-art results.",
                    "It improves accuracy by 3% and is 2 times faster at lower cost."), 0.30, 1.0,
        re.compile(r"outperform|achiev|improv|state[- ]of[- ]the[- ]art|accuracy|surpass|\d\s?%|"
                   r"better|faster|speed|reduc|saves?\b|matches", re.I)),
)
ASPECT_THRESHOLD = 0.30  # a user-named aspect ("training data"): calibrated like the rows
QUESTION_THRESHOLD = 0.30
# A question that asks only how the papers differ asks what each one brings.
DIFFERENCE_QUERY = ("the new components, changes and techniques this method introduces",
                    "we first propose a scheme, then design a strategy")
_DIFFERENCE_WORDS = frozenset(content_terms(
    "differ difference differences differently compare compared comparison contrast versus vs "
    "change changes changed new improve improves improvement over against between each other how"))


def question_row(question: str, papers: Sequence[Paper]) -> Row:
    """The row the user's question asks of every paper: the question without the papers' names."""
    focus = without_names(question, papers)
    if content_terms(focus) <= _DIFFERENCE_WORDS:
        return Row(QUESTION_ROW, DIFFERENCE_QUERY, QUESTION_THRESHOLD)
    return Row(QUESTION_ROW, (focus,), QUESTION_THRESHOLD)


def aspect_row(aspect: str) -> Row:
    return Row(aspect.strip(), (aspect.strip(),), ASPECT_THRESHOLD)


def without_names(question: str, papers: Sequence[Paper]) -> str:
    """The question without the compared papers' names: what it asks of each of them.
    ("How do TinyCLIP and TinyViT use distillation?" -> "How do and use distillation?")"""
    names = {name for paper in papers
             for name in [paper.title.partition(":")[0].strip(), *coined_names(paper.title)]}
    text = " ".join(f"{p.title} {p.abstract}" for p in papers)
    names |= {n for n in coined_names(question) if n in text}  # "SN-Netv2", named in its abstract
    for name in sorted(names, key=len, reverse=True):
        question = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "", question)
    return " ".join(question.split())


@dataclass(frozen=True)
class RowQueries:
    """The rows and their phrasings' vectors, embedded once for all papers of a comparison."""

    rows: tuple[Row, ...]
    vectors: tuple[np.ndarray, ...]  # one (phrasings x dimension) array a row
    asked: int  # the first `asked` rows are the question and named aspects

    @classmethod
    def embed(cls, asked: Sequence[Row], embedder: Embedder, fixed: Sequence[Row] = ROWS) -> RowQueries:
        rows = (*asked, *fixed)
        flat = embedder.embed([q for row in rows for q in row.queries])
        vectors, start = [], 0
        for row in rows:
            vectors.append(flat[start:start + len(row.queries)])
            start += len(row.queries)
        return cls(rows, tuple(vectors), len(asked))


def sentence_spans(paper: Paper) -> list[tuple[int, int]]:
    return [s for s in split_sentences(paper.abstract) if not is_boilerplate(paper.abstract[s[0]:s[1]])]


def row_scores(queries: RowQueries, sentence_vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """(rows x sentences): best similarity to the row's phrasings, a cue bonus (MiniLM hears what
    a sentence is about far more than what it does: the cue tells a problem from a result) and
    the position prior; the question row adds the key idea's similarity."""
    count = len(sentence_vectors)
    place = np.linspace(-1.0, 1.0, count) if count > 1 else np.zeros(count)
    similarity = np.stack([(vectors @ sentence_vectors.T).max(axis=0) for vectors in queries.vectors])
    prior = np.asarray([row.position for row in queries.rows])[:, None] * place[None, :]
    cues = np.asarray([[bool(row.cue and row.cue.search(t)) for t in texts] for row in queries.rows])
    scores = similarity + POSITION_WEIGHT * prior + CUE_WEIGHT * cues
    key_idea = [i for i, row in enumerate(queries.rows) if row.name == "key idea"]
    for index, row in enumerate(queries.rows):
        if row.name == QUESTION_ROW and key_idea:
            scores[index] += QUESTION_ROLE_WEIGHT * scores[key_idea[0]]
    return scores


def pick_cells(queries: RowQueries, paper: Paper, embedder: Embedder) -> dict[str, tuple[tuple[int, int], float]]:
    """row name -> (character span in the abstract, score) for the rows the abstract states."""
    spans = sentence_spans(paper)
    if not spans:
        return {}
    texts = [paper.abstract[s:e] for s, e in spans]
    scores = row_scores(queries, embedder.embed(texts), texts)
    thresholds = np.asarray([row.threshold for row in queries.rows])
    chosen: dict[str, tuple[tuple[int, int], float]] = {}
    used: set[int] = set()
    for index in range(queries.asked):
        best = int(np.argmax(scores[index]))
        if scores[index, best] >= thresholds[index]:
            first, last = _span(scores[index], best, queries.rows[index].name == QUESTION_ROW, texts)
            chosen[queries.rows[index].name] = ((spans[first][0], spans[last][1]), float(scores[index, best]))
            used.update(range(first, last + 1))
    fixed = range(queries.asked, len(queries.rows))
    for index, sentence in _assign(scores, thresholds, fixed, used).items():
        chosen[queries.rows[index].name] = (spans[sentence], float(scores[index, sentence]))
    return chosen


def _span(scores: np.ndarray, best: int, widen: bool, texts: Sequence[str]) -> tuple[int, int]:
    """Consecutive sentences around `best` that score nearly as well, and the whole of a list
    of changes that starts at or just after it."""
    first = last = best
    if widen:
        start = next((i for i in (best, best + 1) if i < len(texts) and _LIST_START.search(texts[i])), None)
        if start is not None:
            last = start
            while last + 1 < len(texts) and last - first + 1 < LIST_SPAN and _LIST_NEXT.match(texts[last + 1]):
                last += 1
            if last > start:
                return first, last
            last = best
    floor = SPAN_MARGIN * scores[best]
    while widen and last - first + 1 < QUESTION_SPAN:
        after = scores[last + 1] if last + 1 < len(scores) else -np.inf
        before = scores[first - 1] if first > 0 else -np.inf
        if max(after, before) < floor:
            break
        if after >= before:
            last += 1
        else:
            first -= 1
    return first, last


def _assign(scores: np.ndarray, thresholds: np.ndarray, rows: Sequence[int],
            used: set[int]) -> dict[int, int]:
    """row -> sentence maximising the summed margins over the thresholds, each sentence once; a
    row left without one shares its best sentence if that clears its threshold."""
    from scipy.optimize import linear_sum_assignment

    rows = list(rows)
    free = [s for s in range(scores.shape[1]) if s not in used]
    margins = np.asarray([[scores[r, s] - thresholds[r] for s in free] for r in rows]).reshape(len(rows), len(free))
    # a "no sentence" column per row, worth 0, so a row takes a sentence only above its threshold
    options = np.hstack([np.where(margins >= 0, margins, -1e3), np.full((len(rows), len(rows)), -1e3)])
    options[:, len(free):][np.diag_indices(len(rows))] = 0.0
    taken, picked = linear_sum_assignment(-options)
    assigned = {rows[r]: free[c] for r, c in zip(taken, picked) if c < len(free) and options[r, c] >= 0}
    for row in rows:
        best = int(np.argmax(scores[row]))
        if row not in assigned and scores[row, best] >= thresholds[row]:
            assigned[row] = best  # needed: no other sentence bears on this row
    return assigned
