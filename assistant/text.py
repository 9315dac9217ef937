"""Word-level text helpers shared by retrieval, evidence selection and the support judge."""

from __future__ import annotations

import re
from dataclasses import dataclass
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


# --- what a question asks for ---------------------------------------------------------------------
@dataclass(frozen=True)
class Quantity:
    """A question asks for a number: `aspect` says what ("the number of parameters of Whisper
    large-v3"); a sentence states it when it has a number and one of `cues` (a unit or the noun)."""

    aspect: str
    cues: re.Pattern


# a number standing on its own ("70,000-hour", "1.5B", "90.0%"), not a digit inside a name (GPT-4,
# large-v3), or a number word
_NUMBER_WORD = re.compile(
    r"(?<![\w.\-])\d+(?:[.,]\d+)*(?!\w)|(?<![\w.\-])\d+(?:\.\d+)?\s?(?:%|[kmbt]\b|x\b)|\b(?:half|twice|"
    r"double|triple|one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|"
    r"millions?|billions?|trillions?)\b", re.I)
_UNITS = {  # the asked noun's stem -> what a sentence stating it says besides the noun
    "paramet": r"\d\s?[mbk]\b|params?\b|parameters?",
    "hour": r"\d\s?h\b|hours?",
    "gpu": r"gpus?|gpu[- ]hours?|a100|h100|v100|tpu",
    "accuraci": r"%|accuracy|top-1|top-5",
    "speedup": r"\d\s?[x\u00d7]\b|times|faster|speed-?up",
    "memori": r"\d\s?[gmt]b\b|memory",
    "token": r"\d\s?[mbt]\b|tokens?",
    "imag": r"\d\s?[mbk]\b|images?",
    "languag": r"languages?",
    "layer": r"layers?",
}
_HOW_MANY = re.compile(
    r"\bhow (?:many|much) (?P<what>(?:[\w\-]+ ){0,3}?[\w\-]+?)(?: (?:does|do|did|is|are|was|were|has|have|can|"
    r"could|would|will)\b (?P<who>.+?))?\s*\??$", re.I)
_WHAT_NUMBER = re.compile(
    r"\bwhat (?:is|was|are|were) (?:the )?(?P<what>(?:[\w\-]+ ){0,2}(?:number|size|count|amount|"
    r"accuracy|speed-?up|rate|budget|percentage|parameter count|batch size|context length))"
    r"(?: (?:\w+ )?(?:of|for|in|by|does|did) (?P<who>.+?))?\s*\??$", re.I)
_WHAT_SCORE = re.compile(
    r"\bwhat (?P<what>(?:[\w\-]+ ){0,2}?(?:accuracy|map|nds|bleu|score|f1|wer|cer|speed-?up|perplexity|"
    r"auc|miou|psnr|fid|recall|precision|error rate)(?: (?:and|or) [\w\-]+)?) (?:does|do|did|is|was|"
    r"are|were) (?P<who>.+?)\s*\??$", re.I)
_TRAILING_VERB = re.compile(r"\s+(?:have|has|use|uses|used|need|needs|train on|trained|"
                            r"pre-?trained|contain|reach|reaches|achieve|achieves|get|report|obtain|"
                            r"require|take|cover|support)\b.*$", re.I)


def asked_quantity(question: str) -> Quantity | None:
    """The number a question asks for ("How many parameters does X have?"), if it asks for one."""
    match = (_HOW_MANY.search(question) or _WHAT_NUMBER.search(question)
             or _WHAT_SCORE.search(question))
    if match is None:
        return None
    what = match.group("what").strip()
    who = _TRAILING_VERB.sub("", (match.group("who") or "").strip())
    noun = stems(what.split()[-1])
    # a known noun needs its unit; for any other one, a number is enough
    unit = next((cue for stem, cue in _UNITS.items() if noun and noun[0].startswith(stem)), r".")
    if match.re is not _HOW_MANY:
        phrase = f"the {what}"
    else:
        phrase = f"the {'number' if 'many' in match.group(0).lower() else 'amount'} of {what}"
    return Quantity(f"{phrase} of {who}" if who else phrase, re.compile(unit, re.I))


_SECOND_QUESTION = re.compile(r"(?:,|\band\b)\s*(?:and\s+)?(?:what|which|how|why|where|when|on what|in what|"
                              r"by how)\b", re.I)


def asks_several(question: str) -> bool:
    """ "What does X introduce, and what accuracy does it reach?": more than one question."""
    return _SECOND_QUESTION.search(question) is not None


def states_quantity(sentence: str, quantity: Quantity) -> bool:
    """The sentence gives a number of the asked kind."""
    return _NUMBER_WORD.search(sentence) is not None and quantity.cues.search(sentence) is not None
