"""Evidence first: pick the abstract sentences that bear on the question, before any generation.

The model is shown only these numbered sentences; every claim it makes is later checked against
the sentence it cites, so the quality of this selection bounds the quality of the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.answerability import asked as asked_aspects
from assistant.models.embedders import Embedder
from assistant.schema import Evidence, Paper
from assistant.text import content_terms, is_boilerplate, split_sentences

MAX_PER_PAPER = 3  # keeps one long abstract from crowding out the others
RANK_DECAY = 0.03  # a small prior for the retriever's order: earlier papers win near-ties
OVERLAP_WEIGHT = 0.3  # stemmed question words in the sentence: "distil" finds "distillation"
BOILERPLATE_PENALTY = 0.3  # "code is available at ..." answers no question
QUANTITY_BONUS = 0.15  # "What accuracy does X reach?": the sentence with the accuracy answers it
# (any asked aspect: "What tokenizer does X use?" -> the sentence naming X's tokenizer)


def select_evidence(
    question: str,
    papers: Sequence[Paper],
    embedder: Embedder,
    limit: int,
    named: frozenset[str] = frozenset(),
) -> list[Evidence]:
    """The `limit` sentences of `papers` (in retrieval order) that best answer the question."""
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
    return _pick(candidates, np.asarray(scores), limit)


def _pick(candidates, scores: np.ndarray, limit: int) -> list[Evidence]:
    """The best sentences, at most MAX_PER_PAPER a paper, then grouped by paper in reading order."""
    chosen, per_paper = [], {}
    for index in np.argsort(-scores, kind="stable"):
        rank, paper, (start, end) = candidates[index]
        if per_paper.get(paper.paper_id, 0) >= MAX_PER_PAPER:
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
