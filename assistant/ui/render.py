"""Pure render helpers: Answer and Paper values -> Markdown/HTML strings for the UI.

No gradio here, so these are tested without a browser.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import PurePath

from assistant.citations import reference_list
from assistant.markdown import comparison_markdown
from assistant.schema import Answer, Comparison, IngestReport, Paper, SentenceCheck
from assistant.wording import answer_text, describe

# action -> (label, colour, the one line a hover explains it with)
BADGES = {
    "kept": ("checked", "#1a7f37", "The model's sentence, checked against the source it cites"),
    "recited": ("checked, re-cited", "#1a7f37",
                "The model's sentence, checked against another source than the one it named, "
                "and cited to that one"),
    "replaced": ("quoted", "#0969da", "The model's sentence failed the check: the source sentence "
                 "it was closest to is shown instead, verbatim (not judged)"),
    "extracted": ("quoted", "#0969da", "Copied verbatim from the abstract: no sentence the model "
                  "wrote passed the check (not judged)"),
    "dropped": ("not supported", "#cf222e", "Failed the check; not shown"),
}
BADGE_LEGEND = ("<small>checked: the model's sentence, checked against its source · quoted: the "
                "abstract's own words, copied verbatim</small>")


def sentence_badge(check: SentenceCheck) -> str:
    label, colour, meaning = BADGES.get(check.action, (check.action, "#57606a", check.action))
    score = f" (support {check.support:.2f})" if check.support is not None else ""
    return (f'<span class="badge" title="{html.escape(meaning + score)}" '
            f'style="color:{colour};font-size:0.75em">({label})</span>')


def render_partial(checks: Sequence[SentenceCheck]) -> str:
    """The answer so far, while sentences are still arriving."""
    return " ".join(html.escape(c.text) for c in checks if c.shown)


def highlight(abstract: str, spans: Sequence[tuple[int, int]]) -> str:
    """The abstract as HTML with the given character spans marked."""
    out, cursor = [], 0
    for start, end in sorted(set(spans)):
        if start < cursor:
            continue
        out.append(html.escape(abstract[cursor:start]))
        out.append(f"<mark>{html.escape(abstract[start:end])}</mark>")
        cursor = end
    out.append(html.escape(abstract[cursor:]))
    return "".join(out)


def render_answer(answer: Answer, papers: Sequence[Paper]) -> str:
    """The final answer: sentences with support badges, then one card per cited paper."""
    if answer.abstained:
        return f"**{html.escape(answer_text(answer))}**"
    body = " ".join(f"{html.escape(c.text)} {sentence_badge(c)}" for c in answer.sentences if c.shown)
    note = f"\n\n*{html.escape(describe(answer.reason))}*" if answer.reason else ""
    return body + note + "\n\n" + BADGE_LEGEND + "\n\n" + render_references(answer, papers)


def render_result(result: Answer | Comparison, papers: Sequence[Paper]) -> str:
    """An Answer with badges and cards; a Comparison (a comparative question's result) as its
    table and paragraph (assistant.markdown), then the same cards for what it cites."""
    if isinstance(result, Answer):
        return render_answer(result, papers)
    cards = render_references(result.answer, papers)
    return comparison_markdown(result, references=False).strip() + ("\n\n" + cards if cards else "")


def render_references(answer: Answer, papers: Sequence[Paper]) -> str:
    """Expandable cards: title, markers, and the abstract with the cited sentences highlighted."""
    by_id = {p.paper_id: p for p in papers}
    spans: dict[str, list[tuple[int, int]]] = {}
    for item in answer.evidence:
        if any(item.marker == c.marker for c in answer.citations):
            spans.setdefault(item.paper_id, []).append((item.start, item.end))
    cards = []
    for markers, paper_id, title in reference_list(answer.citations):
        paper = by_id.get(paper_id)
        tags = "".join(f"[{m}]" for m in markers)
        abstract = highlight(paper.abstract, spans.get(paper_id, [])) if paper else ""
        cards.append(f"<details><summary>{tags} {html.escape(title)}</summary>"
                     f"<p>{abstract}</p></details>")
    return "\n".join(cards)


def render_rewrite(question: str, standalone: str) -> str:
    """A note saying how a follow-up question was searched; empty when it was searched as typed."""
    if " ".join(question.split()) == standalone:
        return ""
    return f'<p class="rewritten"><em>Searched as: {html.escape(standalone)}</em></p>\n\n'


LIBRARY_COLUMNS = ["title", "listed on", "published", "added", "source", "paper id"]


def library_rows(records: Sequence[tuple[Paper, str]], query: str | None = "") -> list[list[str]]:
    """One row per paper; with a query, only papers whose title, id, source or dates hold every
    word of it (case-insensitive). None (a search box not rendered yet) is no query."""
    words = (query or "").lower().split()
    rows = []
    for paper, added in records:
        row = [paper.title, paper.listed_on or paper.listing_date or "", paper.published or "",
               added or "", PurePath(paper.source).name, paper.paper_id]
        haystack = " ".join(row).lower()
        if all(word in haystack for word in words):
            rows.append(row)
    return rows


def render_ingest(report: IngestReport) -> str:
    """The ingest summary: counts, then each rejection with its file and line."""
    lines = [f"**Added {report.added}, updated {report.updated}, unchanged {report.unchanged}, "
             f"rejected {len(report.rejected)}** ({report.chunks_embedded} "
             f"chunk{'' if report.chunks_embedded == 1 else 's'} embedded in {report.seconds:.1f} s)."]
    if report.rejected:
        lines.append("")
    for rejection in report.rejected:
        where = PurePath(rejection.source).name + (f" line {rejection.line}" if rejection.line else "")
        lines.append(f"- {html.escape(where, quote=False)}: "
                     f"{html.escape(rejection.reason, quote=False)}")
    return "\n".join(lines)


def render_deleted(paper_id: str, title: str | None) -> str:
    """What deleting a paper did; `title` is None when no stored paper had the id."""
    if title is None:
        return f"No stored paper has the id {html.escape(paper_id, quote=False)}."
    return f"Deleted **{html.escape(title, quote=False)}**."


def render_stats(stats: dict, judge: str) -> str:
    """Store counts and the models in use, as a Markdown list."""
    rows = [("Papers", f"{stats.get('papers', 0):,} ({stats.get('chunks', 0):,} chunks)"),
            ("Embedder", f"{stats.get('embedder')} ({stats.get('dimension')} dimensions)"),
            ("Generator", stats.get("generator")), ("Support judge", judge),
            ("Store", stats.get("store"))]
    return "\n".join(f"- **{name}**: {html.escape(str(value), quote=False)}"
                     for name, value in rows)
