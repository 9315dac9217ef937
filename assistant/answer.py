"""Evidence -> Answer: let the model phrase the selected evidence, check every sentence, cite.

The model never sees more than the numbered evidence sentences, and nothing it writes reaches the
user before `assistant.checking` has kept, re-cited, replaced or dropped it. A question that nothing
retrieved is close to, or whose evidence does not bear on it, is not answered: the Answer carries
the reason instead; so is one whose evidence is on the topic but does not state what it asks
(`assistant.answerability`). A question asking for papers is answered with a list of them first
(`assistant.listing`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.answerability import MIN_CARRIER_SCORE, answerability
from assistant.citations import citations_for
from assistant.listing import listing
from assistant.models.generators import Generator
from assistant.models.judges import SupportJudge
from assistant.prompts import Prompt, format_sources
from assistant.schema import (
    NO_EVIDENCE, NO_RELEVANT_PASSAGE, Answer, Evidence, Passage, Reason, SentenceCheck,
)
from assistant.writing import best_quotes, shown_text, write_checked


@dataclass(frozen=True)
class AnswerSettings:
    evidence_sentences: int = 6
    min_relevance: float = 0.35
    min_evidence: float = 0.6
    max_new_tokens: int = 160
    min_carrier_score: float = MIN_CARRIER_SCORE  # an asked aspect counts only in evidence this good
    quotes: str = "first"  # the best sentences quoted, then what the model adds (writing.write_checked)


def too_far(passages: Sequence[Passage], named: frozenset[str], min_relevance: float) -> bool:
    """Nothing retrieved, or nothing close enough and no paper named by the question."""
    if not passages:
        return True
    if named & {p.paper_id for p in passages}:
        return False
    best = max((p.dense_similarity or 0.0) for p in passages)
    return best < min_relevance


def not_answered(question: str, reason: Reason, passages: Sequence[Passage] = (),
                 evidence: Sequence[Evidence] = (), models: dict[str, str] | None = None,
                 seconds: float = 0.0) -> Answer:
    """An Answer that does not answer, and says why."""
    return Answer(question=question, text="", abstained=True, citations=[], passages=list(passages),
                  evidence=list(evidence), models=dict(models or {}), seconds=seconds, reason=reason)


def answer_stream(
    question: str,
    passages: Sequence[Passage],
    evidence: Sequence[Evidence],
    generator: Generator,
    judge: SupportJudge,
    prompt: Prompt,
    settings: AnswerSettings,
    models: dict[str, str] | None = None,
) -> Iterator[SentenceCheck | Answer]:
    """Yield each checked sentence as soon as it is ready, then the whole Answer. `evidence` is
    what evidence selection picked for the question from the retrieved papers."""
    started = time.perf_counter()
    models = {**(models or {}), "generator": generator.name, "judge": type(judge).__name__}
    evidence = list(evidence)
    if not evidence or max(e.score for e in evidence) < settings.min_evidence:
        reason = Reason(NO_EVIDENCE if evidence else NO_RELEVANT_PASSAGE)
        yield not_answered(question, reason, passages, evidence, models)
        return
    # On the topic is not enough: the evidence must carry what is asked ("the learning-rate
    # schedule of LLaMA 2"). When it carries none of it, there is nothing to answer; when it
    # carries a part, the answer says which part the abstracts do not state.
    unstated = answerability(question, evidence, settings.min_carrier_score)
    if unstated.nothing_stated:
        yield not_answered(question, unstated.reason, passages, evidence, models)
        return
    messages = prompt.messages(question=question, sources=format_sources(evidence))
    checks: list[SentenceCheck] = []
    found = listing(question, evidence, settings.min_evidence)  # "Which papers ...?" gets a list
    if found:
        checks.append(found.sentence)
        yield found.sentence
    quotes = found.quotes if found else best_quotes(question, evidence)
    for check in write_checked(messages, evidence, generator, judge, settings.max_new_tokens,
                               quotes, settings.quotes):
        checks.append(check)
        if check.shown:
            yield check
    markers = [m for check in checks if check.shown for m in check.markers]
    yield Answer(question=question, text=shown_text(checks), abstained=False,
                 citations=citations_for(markers, evidence), passages=list(passages),
                 evidence=evidence, sentences=checks, prompt=prompt.name, models=models,
                 seconds=time.perf_counter() - started, reason=unstated.reason)

