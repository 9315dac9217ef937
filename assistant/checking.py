"""Every answer sentence is checked against the evidence it cites before anyone sees it.

A support judge (`assistant.models.judges`) scores a claim against source texts. A sentence that fails is
re-cited to the source that supports it, replaced by the closest source sentence, or dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence

import numpy as np

from assistant.citations import find_markers, strip_markers, with_markers
from assistant.models.judges import SupportJudge
from assistant.schema import Evidence, SentenceCheck
from assistant.text import STOPWORDS, complete_sentences, content_terms, names_in, words

# The model talking about its sources or itself states nothing about the papers.
_META = re.compile(
    r"\b(?:not (?:mentioned|stated|provided|specified|given|available)|no (?:information|mention)|"
    r"(?:provided|given|above) (?:sources?|texts?|context|answer|information|documents?)|"
    r"as an ai|i (?:cannot|can't|don't))\b",
    re.I,
)
_EMPTY_QUOTES = re.compile(r"\"\s*\"|''|“\s*”")
_DANGLING = frozenset("and or by the a an of to with for in on as than that".split())
_MARKDOWN = re.compile(r"\*\*|__|`|^#+\s*")
_LIST_ITEM = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")
REPLACE_FLOOR = 0.5  # share of a failed claim's content terms a source needs to stand in for it
REPLACE_MIN_TERMS = 3  # and at least this many of them: "What is TinyCLIP" shares one word


def stream_sentences(pieces: Iterator[str]) -> Iterator[str]:
    """Sentences as soon as each is complete, from a stream of text pieces."""
    buffer = ""
    try:
        for piece in pieces:
            buffer += piece
            done, buffer = complete_sentences(buffer)
            yield from done
        if buffer.strip():
            yield buffer.strip()
    finally:
        close = getattr(pieces, "close", None)
        if close:  # a consumer that stops early stops the model too
            close()


def check_sentence(sentence: str, evidence: Sequence[Evidence], judge: SupportJudge) -> SentenceCheck:
    """Keep, re-cite, replace or drop one model sentence, by what its sources support."""
    by_marker = {e.marker: e for e in evidence}
    cited = tuple(m for m in find_markers(sentence) if m in by_marker)
    claim = _without_titles(strip_markers(sentence), evidence)
    if not _is_claim(claim):
        return SentenceCheck("", sentence, (), None, None, "dropped")
    if cited:
        score = judge.support(claim, [_source(by_marker[m]) for m in cited])
        if score >= judge.threshold:
            return SentenceCheck(with_markers(claim, cited), sentence, cited, score, True, "kept")
    scored = sorted(((judge.support(claim, [_source(e)]), e) for e in evidence),
                    key=lambda pair: -pair[0])
    if scored and scored[0][0] >= judge.threshold:
        score, best = scored[0]
        return SentenceCheck(with_markers(claim, (best.marker,)), sentence, (best.marker,), score,
                             True, "recited")
    closest = _closest(claim, evidence)
    if closest is not None:
        # shown verbatim: a quote is not judged, so it carries no score (see SentenceCheck)
        return SentenceCheck(with_markers(closest.text, (closest.marker,)), sentence,
                             (closest.marker,), None, None, "replaced")
    return SentenceCheck("", sentence, (), scored[0][0] if scored else 0.0, False, "dropped")


def _source(item: Evidence) -> str:
    return item.text


def _without_titles(claim: str, evidence: Sequence[Evidence]) -> str:
    """Remove paper titles the model copied from the prompt ("... (Swin3D: A Pretrained ...)")."""
    for title in {e.title for e in evidence}:
        claim = claim.replace(f"({title})", "").replace(title, "")
    claim = _MARKDOWN.sub("", _LIST_ITEM.sub("", claim))
    return re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", claim)).strip()


def _is_claim(text: str) -> bool:
    """A fluent statement of at least three words; not a question the model echoed or asked,
    nor a remark about its sources."""
    return len(text.split()) >= 3 and not text.rstrip().endswith("?") and not _META.search(text) \
        and not text.lower().startswith(("question:", "answer:", "sources:")) and _fluent(text)


def _fluent(text: str) -> bool:
    """Rejects the small model's degenerate output: empty quotes, stutters ("pre-trained,
    pre-trained"), a word said three times, a sentence that stops on "and" or "by"."""
    tokens = words(text)
    if _EMPTY_QUOTES.search(text) or not tokens or tokens[-1] in _DANGLING:
        return False
    if any(a == b for a, b in zip(tokens, tokens[1:])):
        return False
    counts = Counter(t for t in tokens if t not in STOPWORDS and len(t) > 2)
    return not counts or max(counts.values()) < 3


def _closest(claim: str, evidence: Sequence[Evidence]) -> Evidence | None:
    """The source sentence sharing most of a failed claim's content terms, if it shares enough.

    Lexical on purpose: a claim with a wrong number fails the judge against every source, yet the
    sentence it garbled is still the right one to show in its place.
    """
    terms = content_terms(claim)
    if not evidence or len(terms) < REPLACE_MIN_TERMS:
        return None
    names = names_in(claim)
    # a source that lacks a name the claim is about cannot stand in for it (TinyViT for TinyCLIP)
    shared = [len(terms & content_terms(e.text))
              if names <= set(words(f"{e.title} {e.text}")) | names_in(f"{e.title} {e.text}") else 0
              for e in evidence]
    best = int(np.argmax(shared))
    enough = shared[best] >= REPLACE_MIN_TERMS and shared[best] / len(terms) >= REPLACE_FLOOR
    return evidence[best] if enough else None


def extractive_fallback(evidence: Sequence[Evidence], count: int = 2) -> list[SentenceCheck]:
    """When no model sentence survives: source sentences, verbatim and cited (quoted, not judged)."""
    return [SentenceCheck(with_markers(e.text, (e.marker,)), "", (e.marker,), None, None, "extracted")
            for e in list(evidence)[:count]]
