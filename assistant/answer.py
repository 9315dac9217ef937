"""Passages -> Answer: select evidence, let the model phrase it, check every sentence, cite.

The model never sees more than the numbered evidence sentences, and nothing it writes reaches the
user before `grounding.check_sentence` has kept, re-cited, replaced or dropped it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from assistant.citations import citations_for, strip_markers
from assistant.embedders import Embedder
from assistant.evidence import format_sources, select_evidence
from assistant.generators import Generator
from assistant.grounding import check_sentence, extractive_fallback, stream_sentences
from assistant.judges import SupportJudge
from assistant.prompts import Prompt
from assistant.schema import Answer, Evidence, Paper, Passage, SentenceCheck, normalise_title
from assistant.text import content_terms

NOT_ANSWERED = "The corpus does not answer this question."
MAX_SENTENCES = 4  # a short answer: the 135M default model rambles and repeats after that
MAX_WRITTEN = 6  # sentences read from the model, shown or not, before it is stopped
NEAR_DUPLICATE = 0.7  # share of content terms two shown sentences may have in common at most
GIVE_UP_AFTER = 3  # model sentences that all failed their check: stop the model and quote


@dataclass(frozen=True)
class AnswerSettings:
    evidence_sentences: int = 6
    min_relevance: float = 0.35
    min_evidence: float = 0.595
    max_new_tokens: int = 160


def should_abstain(passages: Sequence[Passage], named: frozenset[str], min_relevance: float) -> bool:
    """Nothing retrieved, or nothing close enough and no paper named by the question."""
    if not passages:
        return True
    if named & {p.paper_id for p in passages}:
        return False
    best = max((p.dense_similarity or 0.0) for p in passages)
    return best < min_relevance


def answer_stream(
    question: str,
    passages: Sequence[Passage],
    papers: Sequence[Paper],
    named: frozenset[str],
    embedder: Embedder,
    generator: Generator,
    judge: SupportJudge,
    prompt: Prompt,
    settings: AnswerSettings,
) -> Iterator[SentenceCheck | Answer]:
    """Yield each checked sentence as soon as it is ready, then the whole Answer."""
    started = time.perf_counter()
    models = {"embedder": embedder.name, "generator": generator.name, "judge": type(judge).__name__}

    def finish(text: str, abstained: bool, evidence: list[Evidence], checks: list[SentenceCheck]):
        markers = [m for check in checks if check.shown for m in check.markers]
        return Answer(question=question, text=text, abstained=abstained,
                      citations=citations_for(markers, evidence), passages=list(passages),
                      evidence=evidence, sentences=checks, prompt=prompt.name, models=models,
                      seconds=time.perf_counter() - started)

    if should_abstain(passages, named, settings.min_relevance):
        yield finish(NOT_ANSWERED, True, [], [])
        return
    # A question that names papers is about those papers: other abstracts only invite the model
    # to answer about a neighbour ("TinyViT" for a question on TinyCLIP).
    focus = [p for p in papers if p.paper_id in named] or list(papers)
    evidence = select_evidence(question, focus, embedder, settings.evidence_sentences, named)
    if not evidence or max(e.score for e in evidence) < settings.min_evidence:
        yield finish(NOT_ANSWERED, True, evidence, [])  # no sentence bears on the question
        return
    messages = prompt.messages(question=question, sources=format_sources(evidence))
    checks: list[SentenceCheck] = []
    for check in write_checked(messages, evidence, generator, judge, settings.max_new_tokens):
        checks.append(check)
        if check.shown:
            yield check
    yield finish(shown_text(checks), False, evidence, checks)


def write_checked(
    messages: list[dict[str, str]],
    evidence: Sequence[Evidence],
    generator: Generator,
    judge: SupportJudge,
    max_new_tokens: int,
    fallback: Sequence[Evidence] | None = None,
) -> Iterator[SentenceCheck]:
    """The model's sentences, each checked against the evidence; if none survives, the best
    source sentences (`fallback`, else the first two of `evidence`) quoted instead."""
    evidence = list(evidence)
    shown = False
    for check in _checked(generator.stream(messages, max_new_tokens), evidence, judge):
        shown = shown or check.shown
        yield check
    if not shown:
        yield from (extractive_fallback(evidence) if fallback is None
                    else extractive_fallback(fallback, len(fallback)))


def shown_text(checks: Sequence[SentenceCheck]) -> str:
    return " ".join(c.text for c in checks if c.shown)


def _checked(pieces: Iterator[str], evidence: list[Evidence], judge: SupportJudge):
    """Checked sentences from the model's stream; stops the model once enough are shown or it loops."""
    shown_terms: list[set[str]] = []
    written: set[str] = set()
    sentences = stream_sentences(pieces)
    try:
        for sentence in sentences:
            key = normalise_title(strip_markers(sentence))
            if not key or key in written:  # the model repeats itself: stop it
                break
            written.add(key)
            check = check_sentence(sentence, evidence, judge)
            if check.shown:
                terms = content_terms(strip_markers(check.text))
                if any(_jaccard(terms, seen) >= NEAR_DUPLICATE for seen in shown_terms):
                    check = SentenceCheck("", sentence, (), check.support, check.supported, "dropped")
                else:
                    shown_terms.append(terms)
            yield check
            shown = len(shown_terms)
            if shown >= MAX_SENTENCES or len(written) >= MAX_WRITTEN:
                break
            if not shown and len(written) >= GIVE_UP_AFTER:  # the model is off: quote instead
                break
    finally:
        sentences.close()  # closing the chain stops generation early


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0
