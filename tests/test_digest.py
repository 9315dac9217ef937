"""Digests: windows, topic clustering and labels, on-topic filtering, cited paragraphs (fakes)."""

import json
from datetime import date

import numpy as np
import pytest

from assistant.app import Assistant
from assistant.citations import strip_markers
from assistant.dates import make_window
from assistant.markdown import digest_markdown
from assistant.schema import AssistantError, Paper
from assistant.settings import Settings
from assistant.topics import cluster, label_terms, topic_count
from conftest import ScriptedGenerator


@pytest.mark.parametrize("kwargs, start, end, label", [
    ({"week": "2026-W47"}, date(2026, 11, 16), date(2026, 11, 22), "2026-W47 (2026-11-16 to 2026-11-22)"),
    ({"week": "2020w53"}, date(2020, 12, 28), date(2021, 1, 3), "2020-W53 (2020-12-28 to 2021-01-03)"),
    ({"since": "2026-11-01"}, date(2026, 11, 1), None, "2026-11-01 to today"),
    ({"since": "2026-11-01", "until": "2026-11-03"}, date(2026, 11, 1), date(2026, 11, 3),
     "2026-11-01 to 2026-11-03"),
    ({"every": True}, None, None, "all dates"),
])
def test_windows(kwargs, start, end, label):
    window = make_window(**kwargs)
    assert (window.start, window.end, window.label) == (start, end, label)


@pytest.mark.parametrize("kwargs, message", [
    ({}, "give one of --week"),
    ({"week": "2026-W47", "every": True}, "give one of --week"),
    ({"week": "2026-W54"}, "2026 has weeks 1 to 53"),
    ({"since": "2026-11-05", "until": "2026-11-01"}, "is after --until"),
    ({"since": "Nov 5"}, "not a date"),
])
def test_bad_windows_say_what_is_wrong(kwargs, message):
    with pytest.raises(AssistantError, match=message):
        make_window(**kwargs)


def test_window_contains_its_ends_and_never_an_undated_paper():
    window = make_window(since="2026-11-01", until="2026-11-03")
    assert window.contains(date(2026, 11, 1)) and window.contains(date(2026, 11, 3))
    assert not window.contains(date(2026, 11, 4)) and not window.contains(None)
    assert make_window(every=True).contains(None)


def test_topic_count_grows_with_the_square_root():
    assert [topic_count(n) for n in (1, 40, 548, 100_000)] == [1, 4, 17, 20]


def test_labels_are_the_distinctive_terms_of_each_topic():
    documents = ["video generation with diffusion; video generation of long clips; motion",
                 "speech recognition for low-resource speech; speech recognition accuracy",
                 "remote sensing images; remote sensing satellites and land cover"]
    labels = label_terms(documents, 2)
    assert labels[0][0] == "video generation"
    assert labels[1][0] == "speech recognition"
    assert labels[2][0] == "remote sensing"


def test_clusters_are_separated_stable_and_small_ones_merged():
    rng = np.random.default_rng(1)
    centres = np.eye(8)[:3] * 5
    outliers = np.eye(8)[[3, 3]] * 5 + np.eye(8)[0] * 2  # a pair of their own, leaning to topic 0
    vectors = np.vstack([c + rng.normal(0, 0.3, (10, 8)) for c in centres] + [outliers])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = ["video diffusion"] * 10 + ["speech audio"] * 10 + ["satellite land"] * 10 + ["video"] * 2
    first = cluster(vectors, texts, 4)  # the pair's cluster is under MIN_TOPIC: merged
    assert cluster(vectors, texts, 4) == first
    assert sorted(len(c.rows) for c in first) == [10, 10, 12]
    assert {frozenset(texts[r] for r in c.rows) for c in first} == {
        frozenset({"video diffusion", "video"}), frozenset({"speech audio"}),
        frozenset({"satellite land"})}
    assert first[0].rows[-2:] == [30, 31]  # least central last


PAPERS = [
    Paper("v1", "VidGen: Video Generation with Diffusion", "We propose VidGen for video generation "
          "with diffusion models. VidGen generates long videos.", listed_on="2026-11-16"),
    Paper("v2", "MotionDiff: Motion for Video Diffusion", "We introduce MotionDiff, a video diffusion "
          "model for motion. MotionDiff improves video generation.", listed_on="2026-11-18"),
    Paper("s1", "SpeechX: Speech Recognition at Scale", "We present SpeechX for speech recognition. "
          "SpeechX reduces word error rate on speech benchmarks.", listed_on="2026-11-17"),
    Paper("s2", "OldVid: Video Generation Last Month", "We propose OldVid for video generation with "
          "diffusion.", listed_on="2026-10-01"),
]


@pytest.fixture
def digest_assistant(tmp_path, fake_embedder, make_store):
    from assistant.ingest import embed_and_write
    from assistant.chunking import Chunker

    store = make_store(tmp_path / "store", fake_embedder)
    embed_and_write(PAPERS, store, fake_embedder, Chunker(200, 40), "2026-11-20")
    generator = ScriptedGenerator("VidGen generates long videos [1]. It was trained on 5000 GPUs [2].")
    settings = Settings(store=tmp_path / "store", topic_threshold=0.2, topic_margin=0.25)
    return Assistant(settings, store, fake_embedder, generator=generator), generator


def test_digest_of_a_week_cites_only_papers_inside_it(digest_assistant):
    assistant, generator = digest_assistant
    digest = assistant.digest(make_window(week="2026-W47"), topics=2)
    assert digest.in_window == 3 and digest.papers == 3
    inside = {"v1", "v2", "s1"}
    for topic in digest.topics:
        assert {p.paper_id for p in topic.papers} <= inside
        assert {c.paper_id for c in topic.answer.citations} <= inside
        assert {e.paper_id for e in topic.answer.evidence} <= inside
        assert "5000" not in topic.answer.text  # unsupported: never shown
    assert len(generator.calls) == len(digest.topics)  # one model call a topic, not a paper


def test_digest_markers_run_through_the_whole_digest(digest_assistant):
    assistant, _ = digest_assistant
    digest = assistant.digest(make_window(week="2026-W47"), topics=2)
    markers = [e.marker for t in digest.topics for e in t.answer.evidence]
    assert markers == list(range(1, len(markers) + 1))


def test_topic_digest_keeps_only_papers_on_the_topic(digest_assistant):
    assistant, _ = digest_assistant
    digest = assistant.digest(make_window(every=True), topic="video generation with diffusion")
    assert len(digest.topics) == 1 and digest.topics[0].label == "video generation with diffusion"
    assert {p.paper_id for p in digest.topics[0].papers} == {"v1", "v2", "s2"}
    text = digest_markdown(digest)
    assert text.startswith("# Digest: all dates\n\n3 papers on **video generation with diffusion** "
                           "in 1 topic, of 4 papers dated in the window (4 by listed date).")
    assert "- [1] VidGen: Video Generation with Diffusion — 2026-11-16 (listed)" in text


def test_empty_window_says_how_to_date_listings(digest_assistant):
    assistant, generator = digest_assistant
    digest = assistant.digest(make_window(week="2025-W01"))
    assert digest.in_window == 0 and digest.topics == [] and generator.calls == []
    assert "ingest them with `--year` or `--date`" in digest_markdown(digest)


def test_cli_digest_writes_markdown_and_json(run_cli, tmp_path):
    listing = tmp_path / "papers.jsonl"
    listing.write_text("\n".join(json.dumps({"title": p.title, "abstract": p.abstract,
                                             "published": p.listed_on}) for p in PAPERS))
    assert run_cli("ingest", str(listing))[0] == 0
    code, out, err = run_cli("digest", "--since", "2099-01-01", "--json")  # no model is needed
    assert code == 0, err
    result = json.loads(out)
    assert result["papers_in_window"] == 0 and result["topics"] == []
    assert result["window"] == {"label": "2099-01-01 to today", "start": "2099-01-01", "end": None}


@pytest.mark.parametrize("args, message", [
    (["digest", "--week", "2026-W01", "--all"], "give one of --week"),
    (["digest", "--week", "2026-47"], "not an ISO week"),
    (["digest", "--all", "--out", "."], "is a folder"),
])
def test_cli_digest_bad_input_is_one_line(run_cli, args, message):
    code, _, err = run_cli(*args)
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1


def test_a_quote_put_in_the_third_person_is_judged_and_not_labelled_quoted(fake_embedder):
    from assistant.digest import _third_person_check, quoted_in_third_person
    from assistant.models.judges import EvidenceJudge
    from assistant.schema import Evidence, SentenceCheck

    first = "To address this issue, we propose a novel geometric-aware pretraining framework called GAPretrain."
    third = ("GAPretrain serves as a plug-and-play solution that can be flexibly applied to multiple "
             "state-of-the-art detectors.")
    evidence = [Evidence(1, "p1", "GAPretrain: Geometric-aware Pretraining", first, 0, len(first), 0.9),
                Evidence(2, "p1", "GAPretrain: Geometric-aware Pretraining", third, 0, len(third), 0.8)]
    judge = EvidenceJudge(fake_embedder, threshold=0.0)
    shown = quoted_in_third_person(evidence, judge)
    by_text = {strip_markers(s.text): s for s in shown}
    assert by_text[third].action == "extracted" and by_text[third].supported is None  # verbatim
    rewritten = [s for s in shown if strip_markers(s.text) != third]
    assert rewritten and all(s.action == "rewritten" and s.supported is True and s.support is not None
                             and "we " not in s.text.lower() for s in rewritten)
    quote = SentenceCheck(first + " [1]", "", (1,), None, None, "extracted")
    check = _third_person_check(quote, evidence, judge)
    assert check.action in ("rewritten", "dropped") and check.action != "extracted"
