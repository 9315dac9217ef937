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
