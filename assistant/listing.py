"""Questions that ask for papers ("Which papers propose methods for monocular depth estimation?").

The answer to such a question is a list: the retrieved papers that have a sentence bearing on it
(an evidence sentence at least as good as the bar for answering at all, `min_evidence`), named by
title and cited to that sentence, then each one's best sentence quoted. Quoting two sentences, as a
question about one paper gets, would name two papers at most and often neither title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.schema import Evidence, SentenceCheck

LIST_QUESTION = re.compile(
    r"^\s*(?:(?:which|what)\s+(?!(?:do|does|did)\b)(?:\w+[\s-]+){0,3}?(?:papers|works|studies|articles|publications)\b"
    r"|(?:list|name|find|show)\s+(?:me\s+)?(?:the\s+|all\s+)?(?:\w+[\s-]+){0,3}?papers\b)", re.I)


@dataclass(frozen=True)
class Listing:
    sentence: SentenceCheck  # "Papers that bear on the question: A [1]; B [4]."
    quotes: list[Evidence]  # each listed paper's best sentence, in marker order


def is_list_question(question: str) -> bool:
    return bool(LIST_QUESTION.search(question))


def listing(question: str, evidence: Sequence[Evidence], min_evidence: float) -> Listing | None:
    """The list answer's opening sentence and quotes, or None when the question does not ask for
    papers or fewer than two papers have a sentence that bears on it (then it is answered as any)."""
    if not is_list_question(question):
        return None
    best: dict[str, Evidence] = {}
    for item in evidence:  # grouped by paper in retrieval order
        if item.score >= min_evidence and (item.paper_id not in best or item.score > best[item.paper_id].score):
            best[item.paper_id] = item
    chosen = list(best.values())  # evidence holds the top_k retrieved papers at most
    if len(chosen) < 2:
        return None
    names = "; ".join(f"{item.title} [{item.marker}]" for item in chosen)
    sentence = SentenceCheck(f"Papers that bear on the question: {names}.", "",
                             tuple(item.marker for item in chosen), None, None, "listed")
    return Listing(sentence, sorted(chosen, key=lambda e: e.marker))
