"""Papers -> Comparison: a cited table (one column a paper, one row an aspect) and a paragraph on
how they differ.

Every cell is a sentence of its own paper's abstract, chosen for what its row asks
(`assistant.cells`); a row no sentence bears on reads "not stated in the abstract". The model
writes the paragraph from the cells, each of its sentences is checked like any answer's, and a
paragraph that only restates each paper (too few sentences that compare, `contrast_share`) is
replaced by a contrast templated from the cells: real cell text, cited to both sides, marked
"templated" (never presented as model-written or model-checked).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.cells import QUESTION_ROW, RowQueries, aspect_row, pick_cells, question_row
from assistant.citations import citations_for
from assistant.models.embedders import Embedder
from assistant.models.generators import Generator
from assistant.models.judges import SupportJudge
from assistant.phrasing import contrast_share, third_person
from assistant.prompts import Prompt, format_sources
from assistant.schema import Answer, Evidence, Paper, Reason, SentenceCheck
from assistant.reports import Cell, Comparison
from assistant.writing import shown_text, write_checked

PARAGRAPH_ROWS = (QUESTION_ROW, "key idea", "results")  # what the model sees for the paragraph
CONTRAST_ROWS = (QUESTION_ROW, "key idea")  # what a templated contrast sets side by side
MIN_PAPERS, MAX_PAPERS = 2, 4
RETRIEVED_PAPERS = 3  # a comparison question that names fewer than two papers compares this many
CONTRAST_FLOOR = 0.5  # a paragraph with fewer comparing sentences than this share is replaced
TEMPLATED = "templated"  # SentenceCheck.action of the contrast built from the cells


@dataclass(frozen=True)
class CompareSettings:
    max_new_tokens: int = 160


def table_cells(question: str | None, papers: Sequence[Paper], embedder: Embedder,
                aspects: Sequence[str] = ()) -> tuple[list[str], list[Cell]]:
    """Rows and cells, cells numbered by paper then row: [1]-[n] are the first paper's."""
    asked = ([question_row(question, papers)] if question else []) + \
        [aspect_row(a) for a in dict.fromkeys(a.strip() for a in aspects) if a]
    queries = RowQueries.embed(asked, embedder)
    rows = [row.name for row in queries.rows]
    cells, marker = [], 0
    for paper in papers:
        picks = pick_cells(queries, paper, embedder)
        for row in rows:
            if row not in picks:
                cells.append(Cell(row, paper.paper_id, None))
                continue
            marker += 1
            (start, end), score = picks[row]
            cells.append(Cell(row, paper.paper_id, Evidence(
                marker, paper.paper_id, paper.title, paper.abstract[start:end], start, end, score)))
    order = {row: i for i, row in enumerate(rows)}
    cells.sort(key=lambda c: order[c.row])  # row by row, as the table reads
    return rows, cells


def compare(question: str, papers: Sequence[Paper], missing: Sequence[str], embedder: Embedder,
            generator: Generator, judge: SupportJudge, prompt: Prompt,
            settings: CompareSettings, asked: bool = True, aspects: Sequence[str] = ()) -> Comparison:
    """The table, then the paragraph: the model writes from the cells of PARAGRAPH_ROWS and
    each sentence is checked against them; a paragraph that does not compare is templated."""
    started = time.perf_counter()
    rows, cells = table_cells(question if asked else None, papers, embedder, aspects)
    evidence = sorted((c.evidence for c in cells if c.evidence), key=lambda e: e.marker)
    shown = sorted((e for c in cells if c.row in PARAGRAPH_ROWS and (e := c.evidence)),
                   key=lambda e: e.marker)
    messages = prompt.messages(question=question, sources=format_sources(shown))
    checks = list(write_checked(messages, shown, generator, judge, settings.max_new_tokens, fallback=[]))
    by_marker = {e.marker: e.paper_id for e in evidence}
    if contrast_share(checks, by_marker) < CONTRAST_FLOOR:
        checks = [_dropped(c) for c in checks] + templated_contrast(cells, papers)
    markers = [c.marker for c in cells if c.marker] + [m for s in checks if s.shown for m in s.markers]
    answer = Answer(question=question, text=shown_text(checks), abstained=False,
                    citations=citations_for(markers, evidence), passages=[], evidence=evidence,
                    sentences=checks, prompt=prompt.name,
                    models={"embedder": embedder.name, "generator": generator.name,
                            "judge": type(judge).__name__},
                    seconds=time.perf_counter() - started)
    return Comparison(question, list(papers), rows, cells, answer, list(missing))


def _dropped(check: SentenceCheck) -> SentenceCheck:
    return SentenceCheck("", check.original, (), check.support, check.supported, "dropped")


def templated_contrast(cells: Sequence[Cell], papers: Sequence[Paper]) -> list[SentenceCheck]:
    """ "<A> <its key idea>, whereas <B> <its key idea>.": one sentence a pair of neighbouring
    papers, from the cells' own text (rewritten in the third person where that is safe, else
    quoted), cited to both sides."""
    from assistant.markdown import short_title

    sides = []
    for paper in papers:
        cell = next((c for row in CONTRAST_ROWS for c in cells
                     if c.paper_id == paper.paper_id and c.row == row and c.evidence), None)
        if cell:
            sides.append((short_title(paper.title), cell.evidence))
    checks = []
    for (name_a, a), (name_b, b) in zip(sides, sides[1:]):
        text = f"{_side(name_a, a)} [{a.marker}], whereas {_side(name_b, b)} [{b.marker}]."
        checks.append(SentenceCheck(text, "", (a.marker, b.marker), None, None, TEMPLATED))
    return checks


def _side(name: str, evidence: Evidence) -> str:
    sentence = evidence.text.rstrip(" .")
    rewritten = third_person(sentence, name)
    if rewritten and rewritten.startswith(name):
        return rewritten
    return f"in {name}, “{sentence}”"


def not_compared(question: str, papers: Sequence[Paper], missing: Sequence[str], reason: Reason,
                 models: dict[str, str]) -> Comparison:
    """A comparison that cannot be made (papers missing, or fewer than two): says why, cites nothing."""
    answer = Answer(question=question, text="", abstained=True, citations=[], passages=[],
                    models=models, reason=reason)
    return Comparison(question, list(papers), [], [], answer, list(missing))

