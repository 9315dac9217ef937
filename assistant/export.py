"""Plain-data views of results: the one JSON shape shared by the CLI's --json, the UI API and eval.

Written out by hand rather than with pydantic's dumps of the dataclasses: the JSON is a public
shape that adds derived fields (each sentence's cited titles, the reason in words, a comparison's
plain text) and must not change when an internal field does.
"""

from __future__ import annotations

from assistant.markdown import comparison_text, paper_links, top_papers
from assistant.schema import Answer, DayDownload, IngestReport, Passage, Reason
from assistant.reports import Comparison, Digest
from assistant.wording import answer_text


def answer_dict(answer: Answer) -> dict:
    return {
        "kind": "answer",
        "answer": answer_text(answer),
        "abstained": answer.abstained,
        "reason": reason_dict(answer.reason),
        "citations": [{"marker": c.marker, "paper_id": c.paper_id, "title": c.title}
                      for c in answer.citations],
        "retrieved": answer.retrieved_titles,
        "sentences": [
            {"text": s.text, "original": s.original, "markers": list(s.markers),
             "cited_titles": [e.title for m in s.markers for e in answer.evidence if e.marker == m],
             "support": s.support, "supported": s.supported, "action": s.action}
            for s in answer.sentences
        ],
        "models": answer.models,
        "prompt": answer.prompt,
        "seconds": round(answer.seconds, 3),
    }


def reason_dict(reason: Reason | None) -> dict | None:
    if reason is None:
        return None
    return {"kind": reason.kind, "names": list(reason.names), "aspect": reason.aspect,
            "aspects": list(reason.aspects)}


def result_dict(result: Answer | Comparison) -> dict:
    """What `assistant ask --json` prints: an answer, or a comparison for a comparative question."""
    return comparison_dict(result) if isinstance(result, Comparison) else answer_dict(result)


def search_dict(passages: list[Passage]) -> dict:
    return {"results": [{"paper_id": p.paper_id, "title": p.title, "score": round(p.score, 6)}
                        for p in passages]}


def ingest_dict(report: IngestReport) -> dict:
    return {
        "added": report.added, "updated": report.updated, "unchanged": report.unchanged,
        "duplicates": report.duplicates, "chunks_embedded": report.chunks_embedded,
        "rejected": [{"source": r.source, "line": r.line, "reason": r.reason}
                     for r in report.rejected],
        "seconds": round(report.seconds, 3),
        "changes": [{"paper_id": c.paper_id, "title": c.title, "changed": list(c.changed),
                     "old_title": c.old_title, "source": c.source, "line": c.line}
                    for c in report.changes],
    }


def download_dict(download: DayDownload) -> dict:
    return {"date": download.day.isoformat(), "url": download.url,
            "file": str(download.path) if download.path else None, "entries": download.entries,
            "error": download.error}


def comparison_dict(comparison: Comparison) -> dict:
    """The answer's fields (the paragraph as "answer") plus the papers, the table and what is missing.

    table.cells[r][p] is the cell of row r for paper p: {"text", "marker"}, marker null when the
    abstract does not state it.
    """
    cells = [[{"text": cell.text, "marker": cell.marker} if cell else None
              for cell in (comparison.cell(row, p.paper_id) for p in comparison.papers)]
             for row in comparison.rows]
    return {
        **answer_dict(comparison.answer),
        "kind": "comparison",
        "papers": [{"paper_id": p.paper_id, "title": p.title} for p in comparison.papers],
        "table": {"rows": list(comparison.rows), "cells": cells},
        "missing": list(comparison.missing),
        "text": comparison_text(comparison),
        "csv": comparison_csv(comparison),
    }


def digest_dict(digest: Digest) -> dict:
    window = digest.window
    return {
        "kind": "digest",
        "window": {"label": window.label, "start": window.start and window.start.isoformat(),
                   "end": window.end and window.end.isoformat()},
        "topic": digest.topic,
        "papers_in_window": digest.in_window,
        "papers": digest.papers,
        "topics": [{
            "label": topic.label,
            "paragraph": topic.answer.text,
            "citations": [{"marker": c.marker, "paper_id": c.paper_id, "title": c.title}
                          for c in topic.answer.citations],
            "sentences": answer_dict(topic.answer)["sentences"],
            "papers": [_digest_paper(p, digest) for p in topic.papers],
        } for topic in digest.topics],
        "top_papers": [_digest_paper(p, digest) for p in top_papers(digest)],
        "seconds": round(digest.seconds, 3),
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would run as a formula


def _csv_cell(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def comparison_csv(comparison: Comparison) -> str:
    """The comparison table as CSV: a header of titles, then a row per aspect with each paper's
    cell ("sentence [marker]"); cells that a spreadsheet would run as formulas are quoted."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["aspect"] + [_csv_cell(p.title) for p in comparison.papers])
    for row in comparison.rows:
        cells = [comparison.cell(row, p.paper_id) for p in comparison.papers]
        writer.writerow([row] + [_csv_cell(f"{c.text} [{c.marker}]" if c.marker else c.text)
                                 if c else "" for c in cells])
    return out.getvalue()


def _digest_paper(paper, digest: Digest) -> dict:
    day, kind = digest.dates.get(paper.paper_id, (None, ""))
    return {"paper_id": paper.paper_id, "title": paper.title, "date": day, "date_kind": kind,
            "authors": list(paper.authors), "arxiv_id": paper.arxiv_id, "upvotes": paper.upvotes,
            "links": dict(paper_links(paper))}
