"""The typed results of the two analysis jobs: comparisons (Cell, Comparison) and digests (Window,
Topic, Digest). The values they are built from (Paper, Evidence, Answer) are in assistant.schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assistant.schema import Answer, Evidence, Paper


NOT_STATED_CELL = "not stated in the abstract"  # what a table cell says when no sentence bears on its row


@dataclass(frozen=True)
class Cell:
    """One cell of a comparison table: a sentence of the paper's abstract, or nothing (None)."""

    row: str
    paper_id: str
    evidence: Evidence | None

    @property
    def text(self) -> str:
        return self.evidence.text if self.evidence else NOT_STATED_CELL

    @property
    def marker(self) -> int | None:
        return self.evidence.marker if self.evidence else None


@dataclass(frozen=True)
class Comparison:
    """Papers side by side: a cited table and a checked paragraph on how they differ.

    `answer` is the paragraph; its evidence holds every cell's sentence and its citations every
    marker shown in the table or the paragraph. `missing` names papers the corpus does not hold.
    """

    question: str
    papers: list[Paper]
    rows: list[str]
    cells: list[Cell]
    answer: Answer
    missing: list[str] = field(default_factory=list)

    def cell(self, row: str, paper_id: str) -> Cell | None:
        return next((c for c in self.cells if c.row == row and c.paper_id == paper_id), None)


@dataclass(frozen=True)
class Window:
    """The days a digest covers, both ends included; None is open. `label` says it for headers."""

    start: date | None
    end: date | None
    label: str

    def contains(self, day: date | None) -> bool:
        if self.start is None and self.end is None:
            return True
        if day is None:
            return False
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Topic:
    """One section of a digest: a label, its papers (most central first) and a cited paragraph."""

    label: str
    papers: list[Paper]
    answer: Answer


@dataclass(frozen=True)
class Digest:
    """The papers of a window, by topic. `dates` gives each paper's ISO date and which date it is
    ("listed", "published" or "added")."""

    window: Window
    topic: str | None  # the topic asked for; None: all topics, found by clustering
    topics: list[Topic]
    in_window: int  # papers dated inside the window, on the topic or not
    dates: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def papers(self) -> int:
        return sum(len(t.papers) for t in self.topics)
