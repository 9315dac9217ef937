"""Window -> Digest: the papers of a window grouped into topics (or those on one topic), each topic
with a short cited paragraph and its list of papers.

Map-reduce: each paper's sentence for its topic is picked without the model (map); one model call
per topic writes the paragraph from those sentences (reduce), so model calls grow with topics, not
papers. Every paragraph sentence is checked like an answer's, and evidence comes only from papers
dated inside the window. No fragment is shown (`assistant.phrasing.is_fragment`), and the paragraph
is in the third person: a model sentence in the first person, or a source sentence quoted when the
model fails, is rewritten ("In this paper, we propose X" -> "<Paper> proposes X") only where that
is mechanical, and left out otherwise. Topics with upvotes come most upvoted first. One topic's
papers (`--topic`) are those `on_topic` scores near the topic and near its best paper.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from assistant.citations import citations_for, strip_markers, with_markers
from assistant.dates import paper_date
from assistant.models.embedders import Embedder
from assistant.models.generators import Generator
from assistant.models.judges import SupportJudge
from assistant.prompts import Prompt, format_sources
from assistant.phrasing import is_fragment, third_person
from assistant.schema import Answer, Evidence, Paper, Progress, SentenceCheck
from assistant.reports import Digest, Topic, Window
from assistant.text import CONTRIBUTION, is_boilerplate, split_sentences
from assistant.topic_filter import TOPIC_MARGIN, TOPIC_THRESHOLD, on_topic
from assistant.topics import Cluster, cluster
from assistant.vectors import unit_mean
from assistant.writing import shown_text, write_checked

PARAGRAPH_PAPERS = 5  # a topic's most central papers give its paragraph's evidence
QUOTED_SENTENCES = 2  # when no model sentence survives, this many source sentences, third person
KEY_IDEA_BONUS = 0.1  # "we propose ..." says what a paper contributes to its topic

@dataclass(frozen=True)
class DigestSettings:
    topic_threshold: float = TOPIC_THRESHOLD
    max_new_tokens: int = 120
    topics: int | None = None  # None: about sqrt(papers / 2)
    topic_margin: float = TOPIC_MARGIN


@dataclass(frozen=True)
class Dated:
    paper: Paper
    day: date | None
    kind: str  # "listed", "published" or "added"


def in_window(records: Sequence[tuple[Paper, str]], window: Window) -> list[Dated]:
    """The papers whose date (listed, else published, else added) falls in the window, by id."""
    dated = [Dated(paper, *paper_date(paper, added)) for paper, added in records]
    return sorted((d for d in dated if window.contains(d.day)), key=lambda d: d.paper.paper_id)


def build_digest(window: Window, topic: str | None, dated: Sequence[Dated], vectors: np.ndarray,
                 embedder: Embedder, generator: Generator, judge: SupportJudge, prompt: Prompt,
                 settings: DigestSettings, progress: Progress | None = None) -> Digest:
    """Topics of the window's papers (`vectors` are their embeddings, row for row), each with its
    checked paragraph; markers run through the whole digest."""
    started = time.perf_counter()
    papers = [d.paper for d in dated]
    if topic:
        rows = on_topic(topic, papers, vectors, embedder, settings.topic_threshold, settings.topic_margin)
        clusters = [Cluster(rows, [topic])] if rows else []
    else:
        clusters = cluster(vectors, [f"{p.title}. {p.abstract}" for p in papers], settings.topics)
    sections, marker = [], 0
    for done, group in enumerate(clusters, 1):
        members = [papers[r] for r in group.rows]
        focus = embedder.embed_query(topic) if topic else unit_mean(vectors[group.rows])
        evidence = key_sentences(members[:PARAGRAPH_PAPERS], focus, embedder, marker + 1)
        marker += len(evidence)
        sections.append(Topic(group.label, members,
                              _paragraph(group.label, evidence, generator, judge, prompt, settings)))
        if progress:
            progress(done, len(clusters))
    dates = {d.paper.paper_id: (d.day.isoformat() if d.day else None, d.kind) for d in dated}
    return Digest(window, topic, _by_interest(sections), len(dated), dates, time.perf_counter() - started)


def _by_interest(sections: list[Topic]) -> list[Topic]:
    """Most upvoted topics first when the papers carry upvotes, else largest first (stable)."""
    if not any(p.upvotes for t in sections for p in t.papers):
        return sections
    return sorted(sections, key=lambda t: -sum(p.upvotes or 0 for p in t.papers))


def key_sentences(papers: Sequence[Paper], focus: np.ndarray, embedder: Embedder,
                  first_marker: int) -> list[Evidence]:
    """Map: each paper's sentence closest to the topic (a contribution sentence wins near-ties)."""
    candidates = [(paper, span) for paper in papers for span in split_sentences(paper.abstract)
                  if not is_boilerplate(text := paper.abstract[span[0]:span[1]]) and not is_fragment(text)]
    if not candidates:
        return []
    texts = [paper.abstract[s:e] for paper, (s, e) in candidates]
    scores = embedder.embed(texts) @ focus
    scores += np.asarray([KEY_IDEA_BONUS if CONTRIBUTION.search(t) else 0.0 for t in texts])
    best: dict[str, int] = {}
    for index, (paper, _) in enumerate(candidates):
        if paper.paper_id not in best or scores[index] > scores[best[paper.paper_id]]:
            best[paper.paper_id] = index
    evidence = []
    for paper in papers:
        if paper.paper_id in best:
            index = best[paper.paper_id]
            start, end = candidates[index][1]
            evidence.append(Evidence(first_marker + len(evidence), paper.paper_id, paper.title,
                                     texts[index], start, end, float(scores[index])))
    return evidence


def _paragraph(label: str, evidence: list[Evidence], generator: Generator, judge: SupportJudge,
               prompt: Prompt, settings: DigestSettings) -> Answer:
    """Reduce: one model call writes the topic's paragraph; each sentence is checked."""
    started = time.perf_counter()
    question = f"What do these papers contribute to {label}?"
    if not evidence:
        return Answer(question, "", True, [], [], prompt=prompt.name)
    messages = prompt.messages(topic=label, sources=format_sources(evidence))
    written = write_checked(messages, evidence, generator, judge, settings.max_new_tokens, fallback=[])
    checks = [_third_person_check(c, evidence, judge) for c in written]
    if not any(c.shown for c in checks):
        checks += quoted_in_third_person(evidence, judge)
    markers = [m for check in checks if check.shown for m in check.markers]
    return Answer(question, shown_text(checks), False, citations_for(markers, evidence), [],
                  evidence=evidence, sentences=checks, prompt=prompt.name,
                  models={"generator": generator.name, "judge": type(judge).__name__},
                  seconds=time.perf_counter() - started)


def _third_person_check(check: SentenceCheck, evidence: Sequence[Evidence],
                        judge: SupportJudge) -> SentenceCheck:
    """A shown sentence as it may be shown: whole, and in the third person, else dropped. A quote
    that had to be rewritten is no longer the source's words: it is judged and labelled rewritten."""
    if not check.shown:
        return check
    by_marker = {e.marker: e for e in evidence}
    text = strip_markers(check.text)
    cited = [by_marker[m] for m in check.markers if m in by_marker]
    rewritten = third_person(text, short_name(cited[0].title)) if cited else None
    if rewritten is None or is_fragment(rewritten):
        return SentenceCheck("", check.original, (), check.support, check.supported, "dropped")
    if check.quoted and rewritten != text:
        return _rewritten(rewritten, check.original, [e.marker for e in cited], [e.text for e in cited],
                          judge)
    return SentenceCheck(with_markers(rewritten, check.markers), check.original, check.markers,
                         check.support, check.supported, check.action)


def _rewritten(text: str, original: str, markers: Sequence[int], sources: Sequence[str],
               judge: SupportJudge) -> SentenceCheck:
    """A source sentence put in the third person: shown only if the judge finds it supported."""
    support = judge.support(text, list(sources))
    if support < judge.threshold:
        return SentenceCheck("", original, (), support, False, "dropped")
    return SentenceCheck(with_markers(text, tuple(markers)), original, tuple(markers), support, True,
                         "rewritten")


def quoted_in_third_person(evidence: Sequence[Evidence], judge: SupportJudge) -> list[SentenceCheck]:
    """The best source sentences, rewritten in the third person where that is safe and checked
    against their source; first-person sentences that cannot be rewritten are left out."""
    quoted = []
    for item in evidence:
        rewritten = third_person(item.text, short_name(item.title))
        if rewritten is None or is_fragment(rewritten):
            continue
        if rewritten == item.text:  # already third person: a verbatim quote, not judged
            quoted.append(SentenceCheck(with_markers(item.text, (item.marker,)), "", (item.marker,),
                                        None, None, "extracted"))
        else:
            check = _rewritten(rewritten, "", [item.marker], [item.text], judge)
            if check.shown:
                quoted.append(check)
        if len(quoted) == QUOTED_SENTENCES:
            break
    return quoted


def short_name(title: str) -> str:
    """How a paragraph names a paper: the part before its title's colon, else the whole title."""
    head, colon, _ = title.partition(":")
    return head.strip() if colon and len(head.split()) <= 6 else title
