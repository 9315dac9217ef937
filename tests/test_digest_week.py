"""Digests of real Daily Papers weeks (../shared/real/hf_daily_papers/, the API's own answers) with
fakes: listing dates, paper lists with links and upvotes, third-person paragraphs, default window."""

import json
from pathlib import Path

import pytest

from assistant.app import Assistant
from assistant.dates import make_window
from assistant.markdown import digest_markdown
from assistant.phrasing import is_fragment
from assistant.schema import Paper
from assistant.settings import Settings
from conftest import ScriptedGenerator

DAYS = Path(__file__).resolve().parents[2] / "shared" / "real" / "hf_daily_papers"
WEEK = sorted(DAYS.glob("2025-03-1[0-4].json"))
pytestmark = pytest.mark.skipif(len(WEEK) != 5, reason="the real Daily Papers days are not here")
REPLY = ("Experimental studies on multiple downstream tasks show that LOOK [1]. "
         "In this paper, we propose a benchmark for agents [2]. leveraging pre [3].")


def _assistant(tmp_path, embedder, make_store, reply=REPLY):
    store = make_store(tmp_path / "store", embedder)
    return Assistant(Settings(store=tmp_path / "store"), store, embedder,
                     generator=ScriptedGenerator(reply))


def _listed_ids(files):
    return {entry["paper"]["id"] for file in files for entry in json.loads(file.read_text())}


@pytest.fixture
def week_assistant(tmp_path, fake_embedder, make_store):
    assistant = _assistant(tmp_path, fake_embedder, make_store)
    assistant.ingest(WEEK)
    return assistant


def test_a_daily_papers_week_is_every_paper_listed_that_week(week_assistant):
    digest = week_assistant.digest(make_window(week="2025-W11"), topics=4)
    assert digest.in_window == digest.papers == len(_listed_ids(WEEK))  # not only those arXiv-dated then
    assert {kind for _, kind in digest.dates.values()} == {"listed"}
    day_of = {p.arxiv_id: digest.dates[p.paper_id][0] for t in digest.topics for p in t.papers}
    for file in WEEK:  # each paper goes by the day file that listed it, not by its publishedAt
        assert {entry["paper"]["id"]: file.stem for entry in json.loads(file.read_text())}.items() <= day_of.items()
    papers = {p.paper_id: p for t in digest.topics for p in t.papers}
    assert all(p.published and p.published <= digest.dates[pid][0] for pid, p in papers.items())


def test_week_digest_lists_papers_with_authors_upvotes_and_links_most_upvoted_first(week_assistant):
    digest = week_assistant.digest(make_window(week="2025-W11"), topics=4)
    text = digest_markdown(digest)
    votes = [sum(p.upvotes or 0 for p in t.papers) for t in digest.topics]
    assert votes == sorted(votes, reverse=True)
    top = max((p for t in digest.topics for p in t.papers), key=lambda p: p.upvotes or 0)
    section = text.split("## Top papers of the week\n\n")[1].split("\n\n")[0]
    assert section.startswith(f"1. {top.title} — {top.authors[0]}")
    assert f"[arXiv](https://arxiv.org/abs/{top.arxiv_id}) [HF](https://huggingface.co/papers/{top.arxiv_id})" in section
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert len(lines) == digest.papers and all("upvote" in line and "[arXiv](" in line for line in lines)


def test_week_paragraphs_show_no_fragment_and_no_first_person(week_assistant):
    digest = week_assistant.digest(make_window(week="2025-W11"), topics=4)
    shown = [s for t in digest.topics for s in t.answer.sentences if s.shown]
    assert shown
    for sentence in shown:
        assert not is_fragment(sentence.text)
        assert not any(word in sentence.text.lower().split() for word in ("we", "our"))
        assert "LOOK" not in sentence.text and "leveraging pre" not in sentence.text


def test_a_first_person_model_sentence_is_shown_in_the_third_person(tmp_path, fake_embedder, make_store):
    paper = Paper("v1", "VidGen: Video Generation with Diffusion", "In this paper, we propose VidGen "
                  "for long video generation with diffusion models. VidGen generates long videos.",
                  listed_on="2026-11-16")
    assistant = _assistant(tmp_path, fake_embedder, make_store,
                           "In this paper, we propose VidGen for long video generation with diffusion models [1].")
    from assistant.chunking import Chunker
    from assistant.ingest import embed_and_write

    embed_and_write([paper], assistant.store, fake_embedder, Chunker(200, 40), "2026-11-20")
    assistant.retriever.refresh()
    digest = assistant.digest(make_window(week="2026-W47"))
    shown = [s.text for s in digest.topics[0].answer.sentences if s.shown]
    assert shown[0] == "The paper proposes VidGen for long video generation with diffusion models [1]."


def test_digest_without_a_window_takes_the_latest_week_with_dated_papers(week_assistant, tmp_path):
    undated = tmp_path / "undated.jsonl"  # dated only by today's ingest: not "the latest week"
    undated.write_text(json.dumps({"title": "Undated Paper", "abstract": "We propose a method. " * 5}))
    week_assistant.ingest([undated])
    window = week_assistant.default_window()
    assert window.label == "2025-W11 (2025-03-10 to 2025-03-16), the latest week with dated papers"
    assert week_assistant.digest(topics=2).in_window == len(_listed_ids(WEEK))


def test_a_window_of_ingest_dated_papers_says_so(tmp_path, fake_embedder, make_store):
    assistant = _assistant(tmp_path, fake_embedder, make_store)
    listing = tmp_path / "undated.jsonl"
    listing.write_text("\n".join(json.dumps({"title": f"Paper {i}", "abstract": f"We study topic {i}. " * 5})
                                 for i in range(3)))
    assistant.ingest([listing])
    digest = assistant.digest()
    assert digest.window.label.endswith("papers dated by the day they were ingested")
    assert "**These papers are dated by the day they were ingested**" in digest_markdown(digest)


def _small_digest(tmp_path, embedder, make_store, papers, reply, **kwargs):
    from assistant.chunking import Chunker
    from assistant.ingest import embed_and_write

    assistant = _assistant(tmp_path, embedder, make_store, reply)
    embed_and_write(papers, assistant.store, embedder, Chunker(200, 40), "2026-11-20")
    assistant.retriever.refresh()
    return assistant.digest(make_window(week="2026-W47"), **kwargs)


def test_a_fragment_the_checker_would_pass_is_never_shown(tmp_path, fake_embedder, make_store):
    paper = Paper("l1", "LOOK: Retrieval for Agents", "Experimental studies on multiple downstream "
                  "tasks show that LOOK improves retrieval accuracy.", listed_on="2026-11-16")
    digest = _small_digest(tmp_path, fake_embedder, make_store, [paper],
                           "Experimental studies on multiple downstream tasks show that LOOK [1].")
    checks = digest.topics[0].answer.sentences
    assert checks[0].action == "dropped"  # the judge alone would keep it: it is the source's head
    assert all(not is_fragment(s.text) for s in checks if s.shown)


def test_topics_with_more_upvotes_come_first(tmp_path, fake_embedder, make_store):
    video = [Paper(f"v{i}", f"Video Diffusion {i}", f"Video diffusion generates long video clips {i}.",
                   listed_on="2026-11-16", upvotes=1) for i in range(4)]
    speech = [Paper(f"s{i}", f"Speech Recognition {i}", f"Speech recognition lowers word error rate {i}.",
                    listed_on="2026-11-17", upvotes=50) for i in range(3)]
    digest = _small_digest(tmp_path, fake_embedder, make_store, video + speech, "Nothing [1].", topics=2)
    assert [len(t.papers) for t in digest.topics] == [3, 4]  # the smaller, more upvoted topic first
