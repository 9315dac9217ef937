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
ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "Fig.", "Eq.", "approx.", "resp.")
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
        if before.rstrip("\"')]").endswith(ABBREVIATIONS):
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


# Streamed text: the end of a sentence with its markers, or a line break (models also answer in
# lines and lists); the same abbreviations as split_sentences do not end a sentence.
_BOUNDARY = re.compile(
    r"[.!?](?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])*(?=\s+[^\s\[])"  # end of a sentence, its markers
    r"|[^\n](?=\n+\s*[^\s\[])"  # or a line break: models also answer in lines and lists
)


def complete_sentences(buffer: str) -> tuple[list[str], str]:
    """Split streamed text into finished sentences (with their trailing markers) and the rest."""
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(buffer):
        if buffer[start:match.start() + 1].endswith(ABBREVIATIONS):
            continue
        sentences.append(buffer[start:match.end()].strip())
        start = match.end()
    return [s for s in sentences if s], buffer[start:]


# --- sentence cues ------------------------------------------------------------------------------
_BOILERPLATE = re.compile(
    r"https?://|github\.com|\b(code|models?|data(set)?s?)\b[^.]{0,60}\b(available|released|open[- ]sourced)\b",
    re.IGNORECASE,
)
# "We propose X", "our method", "called X": the sentence that says what a paper contributes.
CONTRIBUTION = re.compile(
    r"\bwe (?:propose|introduce|present|design|develop|build|train|show)|"
    r"\bour (?:method|approach|framework|model)|\bnovel\b|\bcalled\b|\bnamed\b|"
    r"\bdubbed\b|\bthis (?:paper|work)\b", re.IGNORECASE)

def is_boilerplate(sentence: str) -> bool:
    """ "Code is available at ...": a sentence that answers no question about the work."""
    return _BOILERPLATE.search(sentence) is not None


# --- names ----------------------------------------------------------------------------------------
_NAME_TOKEN = re.compile(r"[A-Za-z0-9][\w\-+.]*[A-Za-z0-9+]|[A-Za-z0-9]")


def _is_coined(token: str) -> bool:
    """FerKD, Swin3D, GPT-4, LoRA+; not Compute-Optimal or Mixture-of-Experts (plain words)."""
    parts = [p for p in re.split(r"[-+.]", token) if p]
    mixed = any(c.isdigit() for c in token) and any(c.isalpha() for c in token)
    return mixed or any(any(c.isupper() for c in part[1:]) for part in parts)


def coined_names(text: str) -> list[str]:
    """Coined words of three characters or more, as written: "How does FerKD beat GPT-4?" ->
    ["FerKD", "GPT-4"]. The words a reader takes for the name of a method or model."""
    return list(dict.fromkeys(t for t in _NAME_TOKEN.findall(text) if _is_coined(t) and len(t) >= 3))


def names_in(text: str) -> set[str]:
    """Coined names and acronyms of two characters or more, lower-cased (TinyCLIP, GPT-4, S3DIS, 3D):
    what a claim must not name unless its source does."""
    return {t.lower() for t in _NAME_TOKEN.findall(text) if _is_coined(t) and len(t) >= 2}
