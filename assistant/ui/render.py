"""Pure render helpers: Answer and Paper values -> Markdown/HTML strings for the UI.

No gradio here, so these are tested without a browser. Every text from a source or a model goes
through `text` (HTML and Markdown both made inert: the Chatbot and Markdown components parse
Markdown around and inside our HTML); the only links are the ones built here from an arXiv id.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import PurePath

from assistant.citations import reference_list
from assistant.dates import listed_label
from assistant.markdown import comparison_markdown, inert, paper_links
from assistant.schema import Answer, IngestReport, Paper, SentenceCheck
from assistant.reports import Comparison
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
    "rewritten": ("checked, third person", "#1a7f37", "The abstract's sentence put in the third "
                  "person, checked against it"),
    "templated": ("templated", "#0969da", "A contrast built from the comparison's cells (the abstracts' "
                  "sentences), not written by a model"),
    "listed": ("listed", "#0969da", "The titles of the retrieved papers that have a sentence bearing "
               "on the question, each cited to it; not written by a model"),
    "dropped": ("not supported", "#cf222e", "Failed the check; not shown"),
}
BADGE_LEGEND = ("<small>checked: the model's sentence, checked against its source · quoted: the "
                "abstract's own words, copied verbatim · listed: the titles of the papers that bear on "
                "the question</small>")


# Characters that could start Markdown markup, as numeric character references: a reference is
# never markup, in an HTML block or in a Markdown paragraph, and shows the character itself.
_ENTITIES = {char: f"&#{ord(char)};" for char in "[]!`*_~|\\$"}
_BARE_URL = re.compile(r"(?i)(?<=[a-z0-9]):(?=//)|(?<=\bwww)\.")  # GFM would link these
_MARKER = re.compile(r"&#91;(\d+)&#93;(?!\()")  # a citation marker reads "[1]"; "[1](" stays inert
MAX_AUTHORS = 3


def text(value: str | None) -> str:
    """Source or model text, on one line, safe inside our HTML and inside Markdown."""
    flat = html.escape(re.sub(r"\s+", " ", value or ""), quote=True)
    flat = _BARE_URL.sub(lambda m: f"&#{ord(m.group(0))};", flat)
    return _MARKER.sub(r"[\1]", "".join(_ENTITIES.get(char, char) for char in flat))


def paper_meta(paper: Paper) -> str:
    """One line under a card's title: authors, dates, upvotes and links, where the source has them."""
    parts = []
    if paper.authors:
        names = ", ".join(paper.authors[:MAX_AUTHORS])
        parts.append(text(names + (" et al." if len(paper.authors) > MAX_AUTHORS else "")))
    if paper.published:
        parts.append(f"published {text(paper.published)}")
    listed = listed_label(paper)
    if listed:
        parts.append(f"listed {text(listed)}")
    if paper.upvotes is not None:
        parts.append(f"▲ {paper.upvotes:d}")
    parts += [f'<a href="{url}" target="_blank" rel="noopener noreferrer">{label}</a>'
              for label, url in paper_links(paper)]
    return " · ".join(parts)


def paper_card(paper: Paper, tags: str = "", abstract: str | None = None) -> str:
    """An expandable card: tags and title, the meta line, then the abstract (HTML, escaped)."""
    meta = paper_meta(paper)
    meta_line = f'<br><small class="paper-meta">{meta}</small>' if meta else ""
    body = abstract if abstract is not None else text(paper.abstract)
    return (f'<details class="paper-card"><summary>{tags} {text(paper.title)}{meta_line}</summary>'
            f"<p>{body}</p></details>")


def sentence_badge(check: SentenceCheck) -> str:
    label, colour, meaning = BADGES.get(check.action, (check.action, "#57606a", check.action))
    score = f" (support {check.support:.2f})" if check.support is not None else ""
    return (f'<span class="badge" title="{html.escape(meaning + score)}" '
            f'style="color:{colour};font-size:0.75em">({label})</span>')


def render_partial(checks: Sequence[SentenceCheck]) -> str:
    """The answer so far, while sentences are still arriving."""
    return " ".join(text(c.text) for c in checks if c.shown)


def highlight(abstract: str, spans: Sequence[tuple[int, int]]) -> str:
    """The abstract as HTML with the given character spans marked."""
    out, cursor = [], 0
    for start, end in sorted(set(spans)):
        if start < cursor:
            continue
        out.append(text(abstract[cursor:start]))
        out.append(f"<mark>{text(abstract[start:end])}</mark>")
        cursor = end
    out.append(text(abstract[cursor:]))
    return "".join(out)


def render_answer(answer: Answer, papers: Sequence[Paper]) -> str:
    """The final answer: sentences with support badges, then one card per cited paper."""
    if answer.abstained:
        return f"**{text(answer_text(answer))}**"
    body = " ".join(f"{text(c.text)} {sentence_badge(c)}" for c in answer.sentences if c.shown)
    note = f"\n\n*{text(describe(answer.reason))}*" if answer.reason else ""
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
        if paper is None:  # deleted since it was cited
            cards.append(f"<p>{tags} {text(title)}</p>")
            continue
        cards.append(paper_card(paper, tags, highlight(paper.abstract, spans.get(paper_id, []))))
    return "\n".join(cards)


def render_rewrite(question: str, standalone: str) -> str:
    """A note saying how a follow-up question was searched; empty when it was searched as typed."""
    if " ".join(question.split()) == standalone:
        return ""
    return f'<p class="rewritten"><em>Searched as: {text(standalone)}</em></p>\n\n'


_TAG = re.compile(r"<[^>]*>")


def chat_markdown(history: Sequence[dict]) -> str:
    """A chat as a Markdown transcript: what was shown, as plain text (badges and card titles
    included, no markup from the page), every source text still inert."""
    lines = ["# Chat", ""]
    for message in history:
        shown = html.unescape(_TAG.sub(" ", _message_text(message.get("content"))))
        who = "You" if message.get("role") == "user" else "Assistant"
        lines += [f"**{who}:** {inert(shown)}", ""]
    return "\n".join(lines)


def _message_text(content) -> str:
    """A Chatbot message's text: a string, or (as the browser sends it back) a list of parts."""
    if isinstance(content, str):
        return content
    parts = content if isinstance(content, list) else [content]
    return " ".join(part.get("text", "") for part in parts if isinstance(part, dict))


LIBRARY_COLUMNS = ["title", "listed on", "published", "added", "source", "paper id"]


def library_rows(records: Sequence[tuple[Paper, str]], query: str | None = "") -> list[list[str]]:
    """One row per paper; with a query, only papers whose title, id, source or dates hold every
    word of it (case-insensitive). None (a search box not rendered yet) is no query."""
    words = (query or "").lower().split()
    rows = []
    for paper, added in records:
        row = [paper.title, listed_label(paper) or "", paper.published or "",
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
        lines.append(f"- {text(where)}: {text(rejection.reason)}")
    return "\n".join(lines)


def render_deleted(paper_id: str, title: str | None) -> str:
    """What deleting a paper did; `title` is None when no stored paper had the id."""
    if title is None:
        return f"No stored paper has the id {text(paper_id)}."
    return f"Deleted **{text(title)}**."


def render_stats(stats: dict, judge: str) -> str:
    """Store counts and the models in use, as a Markdown list."""
    rows = [("Papers", f"{stats.get('papers', 0):,} ({stats.get('chunks', 0):,} chunks)"),
            ("Embedder", f"{stats.get('embedder')} ({stats.get('dimension')} dimensions)"),
            ("Generator", stats.get("generator")), ("Support judge", judge),
            ("Store", stats.get("store"))]
    return "\n".join(f"- **{name}**: {text(str(value))}"
                     for name, value in rows)
