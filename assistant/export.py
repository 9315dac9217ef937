"""Plain-data views of results: the one JSON shape shared by the CLI's --json, the UI API and eval."""

from __future__ import annotations

from assistant.schema import Answer, DayDownload, IngestReport, Passage


def answer_dict(answer: Answer) -> dict:
    return {
        "answer": answer.text,
        "abstained": answer.abstained,
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
    }


def download_dict(download: DayDownload) -> dict:
    return {"date": download.day.isoformat(), "url": download.url,
            "file": str(download.path) if download.path else None, "entries": download.entries,
            "error": download.error}
