"""Group papers into topics by their embeddings and name each topic by its distinctive terms.

Clustering is k-means on the papers' (unit) embeddings with a fixed seed, on papers in id order,
so the same store gives the same topics. Labels are class-based TF-IDF (c-TF-IDF, as in BERTopic):
a term's frequency in the topic's titles and abstracts, weighted by how rare it is across topics.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.text import GENRE_WORDS, STOPWORDS, stems

MIN_TOPIC = 3  # smaller clusters are merged into their nearest topic
MAX_TOPICS = 20
LABEL_TERMS = 3
PHRASE_SHARE = 0.6
SEED = 0
# Words every ML abstract uses: they name no topic.
_GENERIC = frozenset(
    "learning large language deep neural network networks training trained performance task tasks "
    "data datasets dataset existing achieve achieves state art state-of-the-art experiments "
    "framework demonstrate improve improves improved different significantly extensive effective "
    "efficient code available https github com furthermore however specifically including "
    "various recent recently introduce introduces introduced paper propose proposes approach "
    "method methods results models model benchmark benchmarks outperforms compared pre-training "
    "pretraining pre-trained pretrained pre-train pretrain downstream fine-tuned finetuning".split()
)


@dataclass(frozen=True)
class Cluster:
    """Rows (indices into the papers given) of one topic, most central first, and its label terms."""

    rows: list[int]
    terms: list[str]

    @property
    def label(self) -> str:
        return ", ".join(self.terms) or "other"


def topic_count(papers: int) -> int:
    """About sqrt(n/2) topics (a common rule of thumb): 548 papers -> 17, 40 -> 4."""
    return max(1, min(MAX_TOPICS, round(math.sqrt(papers / 2))))


def cluster(vectors: np.ndarray, texts: Sequence[str], count: int | None = None) -> list[Cluster]:
    """Topics for the rows of `vectors` (one per paper, unit length), largest first."""
    n = len(vectors)
    if n == 0:
        return []
    count = min(count or topic_count(n), n)
    assignment = _kmeans(vectors, count) if count > 1 else np.zeros(n, dtype=int)
    assignment = _merge_small(vectors, assignment)
    groups = [np.flatnonzero(assignment == label) for label in np.unique(assignment)]
    terms = label_terms([" ".join(texts[i] for i in rows) for rows in groups])
    clusters = [Cluster(_by_centrality(vectors, rows), words) for rows, words in zip(groups, terms)]
    return sorted(clusters, key=lambda c: (-len(c.rows), c.rows[0]))


def _kmeans(vectors: np.ndarray, count: int) -> np.ndarray:
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=count, n_init=10, random_state=SEED).fit_predict(vectors)


def _merge_small(vectors: np.ndarray, assignment: np.ndarray) -> np.ndarray:
    """Move the papers of clusters under MIN_TOPIC into the nearest remaining cluster."""
    assignment = assignment.copy()
    labels, sizes = np.unique(assignment, return_counts=True)
    keep = [label for label, size in zip(labels, sizes) if size >= MIN_TOPIC]
    if not keep or len(keep) == len(labels):
        return assignment
    centroids = np.stack([vectors[assignment == label].mean(axis=0) for label in keep])
    for row in np.flatnonzero(~np.isin(assignment, keep)):
        assignment[row] = keep[int(np.argmax(centroids @ vectors[row]))]
    return assignment


def _by_centrality(vectors: np.ndarray, rows: np.ndarray) -> list[int]:
    centroid = vectors[rows].mean(axis=0)
    order = np.argsort(-(vectors[rows] @ centroid), kind="stable")
    return [int(rows[i]) for i in order]


def label_terms(documents: Sequence[str], count: int = LABEL_TERMS) -> list[list[str]]:
    """The `count` most distinctive terms (words and two-word phrases) of each document, where a
    document is all the text of one topic. A word is skipped when a phrase with it ranks higher."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

    if not documents:
        return []
    stop = sorted(STOPWORDS | GENRE_WORDS | _GENERIC | ENGLISH_STOP_WORDS)
    vectorizer = CountVectorizer(ngram_range=(1, 2), stop_words=stop, min_df=1,
                                 token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]+\b")
    try:
        counts = vectorizer.fit_transform(documents).toarray().astype(float)
    except ValueError:  # no terms at all
        return [[] for _ in documents]
    vocabulary = vectorizer.get_feature_names_out()
    weights = _ctfidf(counts)
    phrase = np.char.count(vocabulary.astype(str), " ")  # ties go to the phrase
    return [_distinct([(vocabulary[i], row[i]) for i in np.lexsort((-phrase, -row))[:60]], count)
            for row in weights]


def _ctfidf(counts: np.ndarray) -> np.ndarray:
    """tf within the topic x log(1 + average words per topic / frequency across topics)."""
    tf = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
    average = counts.sum() / len(counts)
    idf = np.log(1.0 + average / np.maximum(counts.sum(axis=0), 1.0))
    return tf * idf


def _distinct(ranked: Sequence[tuple[str, float]], count: int) -> list[str]:
    """Top terms sharing no word stem. A phrase whose words were all chosen alone joins them
    ("scaling", "laws" -> "scaling laws"); one ranked below its one chosen word takes the word's
    place when it weighs at least PHRASE_SHARE of it ("video" -> "video generation")."""
    chosen: list[tuple[str, float]] = []
    for term, weight in ranked:
        overlapping = [i for i, (c, _) in enumerate(chosen) if _stems(term) & _stems(c)]
        if not overlapping:
            if len(chosen) < count:
                chosen.append((term, weight))
            continue
        first = overlapping[0]
        if len(overlapping) == 1 and " " in term and " " not in chosen[first][0] \
                and weight >= PHRASE_SHARE * chosen[first][1]:
            chosen[first] = (term, weight)
    for term, weight in ranked:  # then join words chosen alone into the phrase they form
        words = term.split()
        places = [i for i, (c, _) in enumerate(chosen) if c in words]
        if len(words) > 1 and len(places) == len(words):
            chosen = [(term, weight) if i == places[0] else c for i, c in enumerate(chosen)
                      if i == places[0] or i not in places]
    return [term for term, _ in chosen]


def _stems(term: str) -> set[str]:
    return set(stems(term.replace("-", " ")))
