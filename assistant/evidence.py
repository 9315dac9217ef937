"""Evidence first: pick the abstract sentences that bear on the question, before any generation.

The model is shown only these numbered sentences; every claim it makes is later checked against
the sentence it cites, so the quality of this selection bounds the quality of the answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

from assistant.answerability import asked as asked_aspects
from assistant.models.embedders import Embedder
from assistant.schema import Evidence, Paper, SentenceVectors
from assistant.text import content_terms, is_boilerplate, split_sentences

PER_PAPER = 6  # sentences one paper may give (the `evidence_per_paper` setting's default)
RANK_DECAY = 0.03  # a small prior for the retriever's order: earlier papers win near-ties
OVERLAP_WEIGHT = 0.3  # stemmed question words in the sentence: "distil" finds "distillation"
BOILERPLATE_PENALTY = 0.3  # "code is available at ..." answers no question
QUANTITY_BONUS = 0.15  # "What accuracy does X reach?": the sentence with the accuracy answers it
# (any asked aspect: "What tokenizer does X use?" -> the sentence naming X's tokenizer)
MEMORY_SENTENCES = 8192  # ~12 MB of 384-d rows: a week's digest (a few hundred abstracts) fits


class SentenceMemory:
    """An embedder that answers from the store's sentence vectors and embeds only what it lacks.

    `recall(papers)` reads the stored rows of the papers a question retrieved; evidence selection
    and the support judge, given this object as their embedder, then embed only the question and
    the model's sentences. Rows are found by text (a text's vector does not depend on its paper),
    and the most recently used MEMORY_SENTENCES texts are kept, computed ones included, so a store
    made before sentence vectors were stored embeds each sentence once, not once a question."""

    def __init__(self, embedder: Embedder, stored: Callable[[Sequence[Paper]], dict[str, SentenceVectors]],
                 capacity: int = MEMORY_SENTENCES):
        self.embedder, self._stored, self.capacity = embedder, stored, capacity
        self.name, self.dimension = embedder.name, embedder.dimension
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # the UI answers several users from threads

    def recall(self, papers: Sequence[Paper]) -> None:
        """Load the stored sentence vectors of these papers (those not remembered already)."""
        with self._lock:
            wanted = [p for p in papers if not all(
                p.abstract[s:e] in self._vectors for s, e in split_sentences(p.abstract))]
        found = self._stored(wanted) if wanted else {}
        for rows in found.values():
            # keyed by the text each row's offsets cut from the abstract: rows cut by another
            # splitter (an older version) stand for their own texts, never for these sentences
            abstract = next(p.abstract for p in wanted if p.paper_id == rows.paper_id)
            self._remember([abstract[s:e] for s, e in rows.spans], rows.vectors)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            computed = self.embedder.embed(missing)
            self._remember(missing, computed)
            known.update(zip(missing, computed))
        return np.asarray([known[t] for t in texts], dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed_query(text)

    def _remember(self, texts: Sequence[str], vectors) -> None:
        with self._lock:
            for text, vector in zip(texts, vectors):
                self._vectors[text] = np.asarray(vector, dtype=np.float32)
                self._vectors.move_to_end(text)
            while len(self._vectors) > self.capacity:
                self._vectors.popitem(last=False)


def select_evidence(
    question: str,
    papers: Sequence[Paper],
    embedder: Embedder,
    limit: int,
    named: frozenset[str] = frozenset(),
    per_paper: int = PER_PAPER,
) -> list[Evidence]:
    """The `limit` sentences of `papers` (in retrieval order) that best answer the question, at
    most `per_paper` from one paper."""
    candidates = [(rank, paper, span) for rank, paper in enumerate(papers)
                  for span in split_sentences(paper.abstract)]
    if not candidates:
        return []
    texts = [paper.abstract[s:e] for _, paper, (s, e) in candidates]
    similarity = embedder.embed(texts) @ embedder.embed_query(question)
    asked = content_terms(question)
    aspects = asked_aspects(question).aspects
    scores = []
    for (rank, paper, _), text, sim in zip(candidates, texts, similarity):
        overlap = len(asked & content_terms(text)) / max(len(asked), 1)
        prior = 0.1 if paper.paper_id in named else -RANK_DECAY * rank
        penalty = BOILERPLATE_PENALTY if is_boilerplate(text) else 0.0
        carried = any(a.carried_by(text, f"{paper.title}\n{paper.abstract}") for a in aspects)
        bonus = QUANTITY_BONUS if carried else 0.0
        scores.append(float(sim) + OVERLAP_WEIGHT * overlap + prior + bonus - penalty)
    return _pick(candidates, np.asarray(scores), limit, per_paper)


def _pick(candidates, scores: np.ndarray, limit: int, most: int) -> list[Evidence]:
    """The best sentences, at most `most` a paper, then grouped by paper in reading order."""
    chosen, per_paper = [], {}
    for index in np.argsort(-scores, kind="stable"):
        rank, paper, (start, end) = candidates[index]
        if per_paper.get(paper.paper_id, 0) >= most:
            continue
        per_paper[paper.paper_id] = per_paper.get(paper.paper_id, 0) + 1
        chosen.append((paper, start, end, float(scores[index])))
        if len(chosen) == limit:
            break
    paper_order = {pid: i for i, pid in enumerate(per_paper)}
    chosen.sort(key=lambda item: (paper_order[item[0].paper_id], item[1]))
    return [Evidence(marker=i + 1, paper_id=p.paper_id, title=p.title, text=p.abstract[s:e],
                     start=s, end=e, score=score)
            for i, (p, s, e, score) in enumerate(chosen)]
