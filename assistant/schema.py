"""The typed values that cross every seam of the pipeline.

source files -> Paper -> Chunk -> (store) -> Passage -> Answer
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


Progress = Callable[[int, int], None]  # (done, total): papers ingested, topics written...


class AssistantError(Exception):
    """An error with a one-line message meant for the user (what went wrong and where)."""


def normalise_title(title: str) -> str:
    """Lower-case, strip punctuation and collapse white space: two spellings of one title match."""
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", title.lower())).strip()


@dataclass(frozen=True)
class Paper:
    """One paper: a title and an abstract, with whatever the source said about it."""

    paper_id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    arxiv_id: str | None = None
    published: str | None = None  # ISO date, when the source gives one
    listing_date: str | None = None  # as the listing printed it, e.g. "Sep 3" (no year)
    url: str | None = None
    source: str = ""  # the file it came from
    line: int = 0  # 1-based line of the record in that file (0: not known, e.g. a feed entry)
    truncated: bool = False  # the listing cut the abstract mid-sentence
    listed_on: str | None = None  # ISO date of the listing that showed it, when its year is known
    upvotes: int | None = None  # Hugging Face upvotes, when the source counts them

    @property
    def content_hash(self) -> str:
        """Changes when anything the store keeps about the paper changes."""
        parts = [self.title, self.abstract, "|".join(self.authors), self.published or "",
                 self.listing_date or "", self.url or "", self.arxiv_id or ""]
        # Later fields join only when set, so papers stored before they existed keep their hash.
        if self.listed_on:
            parts.append(f"listed_on={self.listed_on}")
        if self.upvotes is not None:
            parts.append(f"upvotes={self.upvotes}")
        return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def paper_id_for(title: str, arxiv_id: str | None = None) -> str:
    """Stable id: the arXiv id when known, else a hash of the normalised title."""
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    return "title:" + hashlib.sha1(normalise_title(title).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Rejection:
    """A record or file that could not be ingested, and why."""

    source: str
    line: int  # 0 when the whole file is at fault
    reason: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ListingDates:
    """How to date the entries of listing dumps, which print month and day but no year.

    `listed_on` gives every entry that listing date (it wins over the file's date lines); else
    `year` turns each date line ("Sep 3") into an ISO date. JSON, CSV and feed records are not
    touched: they carry their own dates.
    """

    year: int | None = None
    listed_on: date | None = None


@dataclass(frozen=True)
class DayDownload:
    """One day of the Daily Papers API: saved to `path`, or not, because of `error`."""

    day: date
    url: str
    path: Path | None = None
    entries: int = 0  # list elements in the saved answer
    error: str | None = None  # one line naming the URL and what went wrong

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ParseResult:
    papers: list[Paper]
    rejections: list[Rejection]
    entries: int = 0  # records seen, good and bad


@dataclass(frozen=True)
class Chunk:
    """A piece of an abstract; start/end are character offsets of `text` in the abstract."""

    chunk_id: str
    paper_id: str
    title: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with its retrieval score (higher is better)."""

    chunk: Chunk
    score: float
    dense_similarity: float | None = None  # cosine of query and chunk, when the dense side saw it

    @property
    def paper_id(self) -> str:
        return self.chunk.paper_id

    @property
    def title(self) -> str:
        return self.chunk.title


@dataclass(frozen=True)
class Evidence:
    """A numbered piece of source text shown to the model: marker [n] points at it."""

    marker: int
    paper_id: str
    title: str
    text: str
    start: int  # offsets in the paper's abstract
    end: int
    score: float


@dataclass(frozen=True, eq=False)
class SentenceVectors:
    """The embeddings of a paper's abstract sentences, stored at ingest: row i is the sentence at
    spans[i] (character offsets, as `assistant.text.split_sentences` cuts the abstract)."""

    paper_id: str
    spans: tuple[tuple[int, int], ...]
    vectors: object  # numpy float32 array, shape (len(spans), dimension)


@dataclass(frozen=True)
class Citation:
    marker: int
    paper_id: str
    title: str


@dataclass(frozen=True)
class SentenceCheck:
    """One answer sentence after the support check.

    action: "kept" (its citation supports it), "recited" (another source supports it: cited
    instead), "replaced" (the closest source sentence is shown in its place), "dropped" (nothing
    supports it; not shown), "extracted" (no model sentence survived: a source sentence is shown),
    "rewritten" (a source sentence put in the third person for a digest, judged against it),
    "templated" (a comparison's contrast built from its cells), "listed" (the titles of the
    papers whose sentences bear on a question asking for papers, each cited to that sentence).
    `support` and `supported` are the judge's score and verdict for the model's own sentences
    (kept, recited, dropped); a quoted sentence (replaced, extracted) is the source's own text,
    shown verbatim and not judged, so both are None.
    """

    text: str  # as shown, with its markers; the model's wording for kept/recited
    original: str  # as the model wrote it
    markers: tuple[int, ...]
    support: float | None
    supported: bool | None
    action: str

    @property
    def shown(self) -> bool:
        return self.action != "dropped"

    @property
    def quoted(self) -> bool:
        """Source text shown verbatim (not the model's words)."""
        return self.action in ("replaced", "extracted")


NOT_IN_CORPUS = "not_in_corpus"  # names: coined names found nowhere in the corpus
NO_RELEVANT_PASSAGE = "no_relevant_passage"  # nothing retrieved is close to the question
NO_EVIDENCE = "no_evidence"  # the retrieved abstracts are near, but no sentence bears on it
NOT_STATED = "not_stated"  # aspect / aspects: what the question asks that no sentence states
ONE_PAPER = "one_paper"  # names: the only paper a comparison found (nothing to compare it with)
NO_PAPER = "no_paper"  # a comparison found no paper at all


@dataclass(frozen=True)
class Reason:
    """Why a result does not answer (or answers only in part). The core returns it; the CLI and
    the UI put it into words (`assistant.wording`)."""

    kind: str  # one of the constants above
    names: tuple[str, ...] = ()
    aspect: str | None = None
    aspects: tuple[str, ...] = ()  # NOT_STATED: each asked part no evidence sentence states


@dataclass(frozen=True)
class Answer:
    """What the assistant says, with the evidence it was built from and how it was made."""

    question: str
    text: str
    abstained: bool
    citations: list[Citation]
    passages: list[Passage]
    evidence: list[Evidence] = field(default_factory=list)
    sentences: list[SentenceCheck] = field(default_factory=list)
    prompt: str = ""
    models: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    reason: Reason | None = None  # set when it does not answer, or leaves part of it unstated

    @property
    def retrieved_titles(self) -> list[str]:
        seen: dict[str, None] = {}
        for passage in self.passages:
            seen.setdefault(passage.title, None)
        return list(seen)


@dataclass(frozen=True)
class PaperUpdate:
    """A stored paper whose title or abstract an ingest replaced (never silent: see wording)."""

    paper_id: str
    title: str  # the new title
    changed: tuple[str, ...]  # "title", "abstract"
    old_title: str = ""
    source: str = ""
    line: int = 0

    def __str__(self) -> str:
        was = f" (was {self.old_title!r})" if "title" in self.changed else ""
        return f"updated {self.title}: {' and '.join(self.changed)} changed{was}"


@dataclass
class IngestReport:
    """What an ingest did: counts and one reason per rejected record."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # entries that repeat a paper seen earlier in the same run
    chunks_embedded: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False  # stopped by SIGINT/SIGTERM after a whole batch
    changes: list[PaperUpdate] = field(default_factory=list)  # updates that replaced a text
