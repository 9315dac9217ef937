"""One topic's papers (`digest --topic`, and the eval's topic questions): each paper scored against
the topic, then those near the topic and near its best paper kept.

A paper's score is its similarity to the topic phrase (the topic without a question's frame, such
as "Which papers are about ...") plus TERM_WEIGHT x the rarity-weighted share of the topic's words
its title and abstract use. Tried on the tune split and not kept (README, "Topic filter"): leaving
out a topic's exclusions ("(not general audio or music)") and scoring words by the best of the
alternatives a topic lists ("molecules, proteins or DNA").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.models.embedders import Embedder
from assistant.schema import Paper
from assistant.text import content_terms

TERM_WEIGHT = 0.2  # the word share, added to the similarity
TOPIC_THRESHOLD = 0.525  # a paper's score must reach this (eval/tune.py, tune split)
TOPIC_MARGIN = 0.2  # and be within this of the best paper's (eval/tune.py, tune split)

_QUESTION_FRAME = re.compile(r"^(?:which|what)\s+(?:papers|works|studies)\s+"
                             r"(?:are\s+(?:about|on)\s+|do\s+|study\s+)?", re.I)


def topic_phrase(topic: str) -> str:
    """What the topic is about ("Which papers are about X?" -> "X"): the frame's words pull every
    paper's similarity up alike."""
    return _QUESTION_FRAME.sub("", topic.strip().rstrip("?")).strip() or topic


def topic_scores(topic: str, papers: Sequence[Paper], vectors: np.ndarray, embedder: Embedder) -> np.ndarray:
    """Each paper's score for `topic` (see the module's docstring); `vectors` are the papers'
    embeddings, row for row."""
    if not len(papers):
        return np.zeros(0, dtype=np.float32)
    phrase = topic_phrase(topic)
    similarity = vectors @ embedder.embed_query(phrase)
    terms = [content_terms(f"{p.title} {p.abstract}") for p in papers]
    return similarity + TERM_WEIGHT * _share(topic, terms)


def _share(text: str, terms: Sequence[set[str]]) -> np.ndarray:
    """Per paper, the share of `text`'s words it uses, each word weighted by its inverse document
    frequency among the papers (so "pathology" counts for more than "model")."""
    count = len(terms)
    weight = {w: float(np.log((count + 1) / (sum(w in have for have in terms) + 0.5)))
              for w in content_terms(text)}
    total = sum(weight.values()) or 1.0
    return np.asarray([sum(v for w, v in weight.items() if w in have) / total for have in terms])


def kept(scores: np.ndarray, threshold: float, margin: float) -> list[int]:
    """Rows at or above `threshold` and within `margin` of the best score, best first: the margin
    keeps a broad window's near misses out where the topic's own papers stand well clear."""
    if not len(scores):
        return []
    best = float(scores.max())
    return [int(i) for i in np.argsort(-scores, kind="stable")
            if scores[i] >= threshold and scores[i] >= best - margin]


def on_topic(topic: str, papers: Sequence[Paper], vectors: np.ndarray, embedder: Embedder,
             threshold: float = TOPIC_THRESHOLD, margin: float = TOPIC_MARGIN) -> list[int]:
    """Rows of the papers about `topic`, best first."""
    return kept(topic_scores(topic, papers, vectors, embedder), threshold, margin)
