"""Comparisons and digests as Markdown: what `compare` and `digest` print, `--out` saves and the UI
shows. Pure functions of the values.

Every text that came from a source or a model (titles, abstracts, answers, topic names) goes in
through `inert`, so that no source can add an image, a link, HTML or a table cell to what a
Markdown renderer shows: a title holding `![x](http://host/steal)` must not make a browser fetch it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.citations import reference_list
from assistant.dates import listed_label
from assistant.schema import Citation, Paper
from assistant.reports import Comparison, Digest, Topic
from assistant.sanitize import ARXIV_ID
from assistant.wording import answer_text

SHORT_TITLE = 48


def short_title(title: str) -> str:
    """The name before a title's colon ("TinyCLIP"), else the title cut at a word boundary."""
    head, colon, _ = title.partition(": ")  # not the colon of "http://" in a title
    if colon and len(head) <= SHORT_TITLE:
        return head.strip()
    if len(title) <= SHORT_TITLE:
        return title
    return title[:SHORT_TITLE].rsplit(" ", 1)[0] + "…"


# Markdown punctuation that can start markup (links, images, HTML, code, emphasis, table cells,
# entities); a backslash makes each a literal character in CommonMark and GFM.
_MARKUP = re.compile(r"([\\`*_\[\]<>|!~&])")
# Bare URLs become links in GFM: a backslash inside "://" and "www." stops that.
_BARE_URL = re.compile(r"(?i)(?<=[a-z0-9])(:)(?=//)|(?<=\bwww)(\.)")
_MARKER = re.compile(r"\\\[(\d+)\\\](?!\()")  # an escaped citation marker, not before "("


def inert(text: str) -> str:
    """Source or model text as Markdown that renders as exactly that text, on one line: no image,
    link, HTML, code span or table cell can come out of it. Citation markers stay "[1]"."""
    flat = " ".join((text or "").split())
    escaped = _BARE_URL.sub(lambda m: "\\" + m.group(0), _MARKUP.sub(r"\\\1", flat))
    return _MARKER.sub(r"[\1]", escaped)


def _cell(text: str) -> str:
    return inert(text)


def _marked(text: str, marker: int | None) -> str:
    return _cell(text) + (f" [{marker}]" if marker else "")


def comparison_markdown(comparison: Comparison, references: bool = True) -> str:
    """Missing papers, the table (a column a paper), the paragraph, then the references (left out
    where the caller shows its own, as the UI's cards)."""
    parts = []
    if comparison.missing:
        parts.append(" ".join(f"**{inert(name)}** is not in the corpus." for name in comparison.missing))
    if comparison.answer.abstained:
        if not comparison.missing:
            parts.append(inert(answer_text(comparison.answer)))
        return "\n\n".join(parts) + "\n"
    papers = comparison.papers
    lines = ["| | " + " | ".join(_cell(short_title(p.title)) for p in papers) + " |",
             "|---" * (len(papers) + 1) + "|"]
    for row in comparison.rows:
        cells = [comparison.cell(row, p.paper_id) for p in papers]
        lines.append(f"| **{row}** | " + " | ".join(
            _marked(c.text, c.marker) if c else "" for c in cells) + " |")
    parts += ["\n".join(lines), inert(comparison.answer.text), _templated_note(comparison.answer.sentences),
              references_markdown(comparison.answer.citations) if references else ""]
    return "\n\n".join(p for p in parts if p) + "\n"


def _templated_note(sentences) -> str:
    if any(s.action == "templated" for s in sentences):
        return ("_The paragraph is templated from the table's cells (their sentences, quoted or put "
                "in the third person); the model did not write it._")
    return ""


def comparison_text(comparison: Comparison) -> str:
    """Everything a comparison shows, as plain text: its cells (title | row: sentence), then the
    paragraph. What the eval searches for key facts."""
    titles = {p.paper_id: p.title for p in comparison.papers}
    lines = [f"{titles[c.paper_id]} | {c.row}: {c.text}" for c in comparison.cells if c.evidence]
    return "\n".join(lines + [comparison.answer.text])


def references_markdown(citations: Sequence[Citation]) -> str:
    rows = [f"- {''.join(f'[{m}]' for m in markers)} {inert(title)} ({inert(paper_id)})"
            for markers, paper_id, title in reference_list(citations)]
    return "**References**\n\n" + "\n".join(rows) if rows else ""


def digest_header(digest: Digest) -> str:
    kinds: dict[str, int] = {}
    for _, kind in digest.dates.values():
        kinds[kind] = kinds.get(kind, 0) + 1
    by = ", ".join(f"{count} by {kind} date" for kind, count in sorted(kinds.items()))
    scope = f" on **{inert(digest.topic)}**" if digest.topic else ""
    counts = (f"{digest.papers} papers{scope} in {len(digest.topics)} "
              f"topic{'s' if len(digest.topics) != 1 else ''}")
    if digest.topic:
        counts += f", of {digest.in_window} papers dated in the window"
    header = f"# Digest: {digest.window.label}\n\n{counts}" + (f" ({by})." if by else ".")
    if kinds and set(kinds) == {"added"}:
        header += ("\n\n**These papers are dated by the day they were ingested**, not by a listing or "
                   "publication date: the window holds whatever was added then. Ingest listings "
                   "with `--date` or `--year` to date them.")
    elif kinds.get("added"):
        header += f" {kinds['added']} of them are dated only by the day they were ingested."
    return header


def digest_markdown(digest: Digest) -> str:
    """Header (window and counts), then a section a topic: paragraph and paper list."""
    parts = [digest_header(digest)]
    if not digest.in_window:
        parts.append("No papers are dated in this window. Listing dumps print no year: ingest them "
                     "with `--year` or `--date` to date them, else they go by the day they were added.")
    elif not digest.topics:
        parts.append(f"No paper in this window is on “{inert(digest.topic)}”.")
    top = top_papers(digest)
    if top:
        parts.append("## Top papers of the week\n\n" + "\n".join(
            f"{rank}. {_paper_line(p, [], digest.dates.get(p.paper_id))[2:]}" for rank, p in enumerate(top, 1)))
    parts += [topic_markdown(topic, digest.dates) for topic in digest.topics]
    return "\n\n".join(parts) + "\n"


TOP_PAPERS = 5


def top_papers(digest: Digest, count: int = TOP_PAPERS) -> list[Paper]:
    """The most upvoted papers of the digest (none when no paper has upvotes)."""
    papers = [p for t in digest.topics for p in t.papers if p.upvotes]
    return sorted(papers, key=lambda p: (-(p.upvotes or 0), p.title))[:count]


def paper_links(paper: Paper) -> list[tuple[str, str]]:
    """(label, URL) of the paper's arXiv and Hugging Face pages, built only from a well-formed arXiv
    id (never a source's URL), for the UI's cards and for Markdown alike."""
    if not paper.arxiv_id or not ARXIV_ID.fullmatch(paper.arxiv_id):
        return []
    return [("arXiv", f"https://arxiv.org/abs/{paper.arxiv_id}"),
            ("HF", f"https://huggingface.co/papers/{paper.arxiv_id}")]


def authors_text(authors: Sequence[str], shown: int = 3) -> str:
    if len(authors) <= shown:
        return ", ".join(authors)
    return ", ".join(authors[:shown]) + " et al."


def topic_markdown(topic: Topic, dates: dict[str, tuple[str | None, str]]) -> str:
    markers: dict[str, list[int]] = {}
    for citation in topic.answer.citations:
        markers.setdefault(citation.paper_id, []).append(citation.marker)
    lines = [f"## {inert(topic.label)} ({len(topic.papers)} papers)", "", inert(topic.answer.text) or
             "_No sentence could be checked against the sources._", ""]
    lines += [_paper_line(p, markers.get(p.paper_id, []), dates.get(p.paper_id)) for p in topic.papers]
    return "\n".join(lines)


def _paper_line(paper: Paper, markers: list[int], dated: tuple[str | None, str] | None) -> str:
    """ "- [1] Title — A, B, C et al. — 2025-03-10 (listed) — 65 upvotes — [arXiv](...) [HF](...)" """
    tags = "".join(f"[{m}]" for m in markers)
    details = [inert(authors_text(paper.authors))] if paper.authors else []
    if dated and dated[0]:
        details.append(f"{dated[0]} ({dated[1]})")
    if paper.listing_date and not paper.listed_on:  # filed by another date: say the listing's day too
        details.append(f"listed {inert(listed_label(paper))}")
    if paper.upvotes is not None:
        details.append(f"{paper.upvotes} upvote{'s' if paper.upvotes != 1 else ''}")
    links = " ".join(f"[{label}]({url})" for label, url in paper_links(paper))
    if links:
        details.append(links)
    return f"- {tags + ' ' if tags else ''}{inert(paper.title)}" + "".join(f" — {d}" for d in details)
