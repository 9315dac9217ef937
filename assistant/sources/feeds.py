"""Read arXiv API Atom feeds (.atom, .xml) into Papers or Rejections: the one module using feedparser.

Each entry gives the arXiv id (from its id URL, version dropped), the title and summary with white
space collapsed, the authors and the published date. Feeds carry no line numbers, so an entry is
located by the line of its `<entry>` tag when the tags can be counted, and always by its 1-based
index in the reason ("entry 3: no summary").
"""

from __future__ import annotations

import io
import logging
import re
import xml.sax
from collections.abc import Iterator
from datetime import date

from assistant.sanitize import clean_text
from assistant.sources.fields import ARXIV_URL
from assistant.sources.records import FileProblem
from assistant.schema import Paper, Rejection, paper_id_for

log = logging.getLogger(__name__)

ENTRY_TAG = re.compile(r"<(?:[\w.-]+:)?entry[\s>/]")
XML_DECLARATION = re.compile(r"<\?xml\s")
# A DOCTYPE with declarations ([...]) or an external DTD (SYSTEM/PUBLIC) can define entities;
# a bare `<!DOCTYPE html>` (an error page) cannot, and gets the usual "not an Atom feed".
DOCTYPE = re.compile(r"<!DOCTYPE[^>\[]*(?:\[|\bSYSTEM\b|\bPUBLIC\b)", re.IGNORECASE)
DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
ARXIV_ERROR_ID = "arxiv.org/api/errors"  # the arXiv API reports a bad query as an entry with this id


def parse_feed(text: str, source: str) -> Iterator[Paper | Rejection]:
    """Every entry of an Atom (or RSS) feed; a text that is no feed, or that declares a DTD,
    raises FileProblem."""
    doctype = DOCTYPE.search(text)
    if doctype:
        # Entities expand in titles (billion laughs) or read local files (XXE); arXiv sends no
        # DTD, so the whole feed is refused and nothing of it is stored.
        line = text.count("\n", 0, doctype.start()) + 1
        raise FileProblem(f"feed declares a DTD (<!DOCTYPE at line {line}): entity declarations "
                          "are refused, nothing read")
    feed = _parse(text)
    problem = feed.get("bozo_exception") if feed.get("bozo") else None
    if not feed.entries:
        if problem is not None:
            raise FileProblem(f"not an Atom feed: {_reason(problem)}")
        if not feed.version:
            raise FileProblem("not an Atom feed: no <feed> element (expected an arXiv API answer)")
        return
    lines = _entry_lines(text, len(feed.entries))
    for index, (entry, line) in enumerate(zip(feed.entries, lines), start=1):
        yield _entry_item(entry, index, source, line)
    if isinstance(problem, xml.sax.SAXParseException):
        # feedparser read on with its lenient parser: say where the XML broke (a cut-off download).
        yield Rejection(source, problem.getLineNumber(),
                        f"feed is not well-formed XML ({_reason(problem)}); the entries above were "
                        "read leniently")
    elif problem is not None:
        log.debug("%s: feedparser notice: %s", source, problem)


def _parse(text: str):
    import feedparser

    # feedparser puts a declaration on a line of its own before a document that has none, which
    # shifts the line numbers of its errors; one on the first line keeps them.
    if not XML_DECLARATION.match(text):
        text = DECLARATION + text
    # Bytes in a file object: feedparser would otherwise treat a string as a URL or a file name.
    return feedparser.parse(io.BytesIO(text.encode("utf-8")))


def _reason(problem: Exception) -> str:
    if isinstance(problem, xml.sax.SAXParseException):
        return f"{problem.getMessage()} at line {problem.getLineNumber()}"
    return " ".join(str(problem).split()) or type(problem).__name__


def _entry_lines(text: str, count: int) -> list[int]:
    """The 1-based line of each `<entry>` tag, or 0 for all when the tags do not match the entries."""
    starts = [match.start() for match in ENTRY_TAG.finditer(text)]
    if len(starts) != count:
        return [0] * count
    return [text.count("\n", 0, start) + 1 for start in starts]


def _entry_item(entry, index: int, source: str, line: int) -> Paper | Rejection:
    entry_id = entry.get("id") or ""
    title = _collapse(entry.get("title"))
    summary = _collapse(entry.get("summary"))
    if ARXIV_ERROR_ID in entry_id:
        return Rejection(source, line, f"entry {index}: arXiv API error: {summary or title}")
    missing = [name for name, value in (("title", title), ("summary", summary)) if not value]
    if missing:
        return Rejection(source, line, f"entry {index}: no {' and no '.join(missing)}")
    match = ARXIV_URL.search(entry_id)
    arxiv_id = match.group(1) if match else None
    return Paper(
        paper_id=paper_id_for(title, arxiv_id), title=title, abstract=summary,
        authors=_authors(entry),
        arxiv_id=arxiv_id, published=_published(entry), url=clean_text(entry.get("link") or "") or None,
        source=source, line=line,
    )


def _collapse(text: str | None) -> str:
    return " ".join(clean_text(text or "").split())


def _authors(entry) -> tuple[str, ...]:
    names = (_collapse(author.get("name")) for author in entry.get("authors", []))
    return tuple(name for name in names if name)


def _published(entry) -> str | None:
    """The entry's published date (feedparser gives it as a UTC struct_time)."""
    parsed = entry.get("published_parsed")
    return date(*parsed[:3]).isoformat() if parsed else None
