"""Word-level text helpers shared by retrieval, evidence selection and the support judge."""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")
STOPWORDS = frozenset(
    "a an and are as at be been by can could do does did for from has have how i if in into is "
    "it its of on or our over so such than that the their them then there these they this those "
    "to under up us use used uses using via was we were what when where which while who why will "
    "with within without would you your also both each more most other same some very".split()
)
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "Fig.", "Eq.", "approx.", "resp.")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z0-9(\[\"'$\\{])")
# Words of the genre, not of the content: they say nothing about what a paper does.
GENRE_WORDS = frozenset(
    "paper papers propose proposed proposes present presents method methods approach approaches "
    "model models result results show shows shown work study novel new based".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english").stemWord
    except ImportError:  # stemming only sharpens matching; plain words still work
        return lambda word: word


def words(text: str) -> list[str]:
    """Lower-cased words; keeps "84.8", "gpt-4" and "vit-b" whole."""
    return _WORD.findall(text.lower())


def stems(text: str) -> list[str]:
    """Stemmed words without stopwords, for BM25."""
    stem = _stemmer()
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def content_terms(text: str) -> set[str]:
    """Stemmed words that carry content: no stopwords, no genre words, no single letters."""
    stem = _stemmer()
    return {stem(w) for w in words(text) if len(w) > 1 and w not in STOPWORDS and w not in GENRE_WORDS}


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of `text` (abbreviations such as "e.g." do not split)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start:match.start()]
        if before.rstrip("\"')]").endswith(_ABBREVIATIONS):
            continue
        spans.append((start, match.start() + len(match.group(0).rstrip())))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def sentences(text: str) -> list[str]:
    """The sentences of `text` with their trailing white space, so that they join back to `text`
    (for llama-index's splitter, which then needs no NLTK model)."""
    starts = [start for start, _ in split_sentences(text)] or [0]
    starts[0] = 0
    return [text[a:b] for a, b in zip(starts, starts[1:] + [len(text)])]
