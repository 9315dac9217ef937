"""Compare and digest with the real shipped models on the real sample corpus."""

import json

import pytest

from assistant.dates import make_window
from test_integration import _cli

pytestmark = pytest.mark.slow
TINYCLIP = "TinyCLIP: CLIP Distillation via Affinity Mimicking and Weight Inheritance"
TINYVIT = "TinyViT: Fast Pretraining Distillation for Small Vision Transformers"


@pytest.fixture(scope="module")
def assistant(sample_store, model_cache, real_embedder):
    from assistant.app import Assistant
    from assistant.settings import Settings
    from assistant.store import Store

    settings = Settings(store=sample_store, model_cache=model_cache)
    return Assistant(settings, Store(sample_store, real_embedder.name, real_embedder.dimension),
                     real_embedder)


def test_comparative_question_resolves_both_papers_and_cites_each_side(assistant):
    comparison = assistant.ask("How do TinyCLIP and TinyViT use knowledge distillation differently?")
    assert [p.title for p in comparison.papers] == [TINYCLIP, TINYVIT]
    assert comparison.missing == [] and not comparison.answer.abstained
    for paper in comparison.papers:
        cells = [c for c in comparison.cells if c.paper_id == paper.paper_id and c.evidence]
        assert len(cells) >= 3  # each side gets its own passages
        assert all(c.evidence.text in paper.abstract for c in cells)
    assert {c.title for c in comparison.answer.citations} == {TINYCLIP, TINYVIT}
    shown = [s for s in comparison.answer.sentences if s.shown]
    assert shown and all(s.supported is None if s.quoted or s.action == "templated" else s.supported is True
                         for s in shown)
    from assistant.markdown import comparison_text

    facts = comparison_text(comparison).lower()
    assert "affinity mimicking" in facts and "weight inheritance" in facts


def test_compare_by_names_with_a_missing_paper_reports_it(sample_store, model_cache):
    result = _cli("compare", "-p", "LoRA+", "-p", "DyLoRA", "-p", "FooNet", "--json",
                  store=sample_store, cache=model_cache, check=False)
    assert result.returncode == 1
    assert "'FooNet' is not in the corpus" in result.stderr
    comparison = json.loads(result.stdout)
    assert comparison["missing"] == ["FooNet"]
    assert [p["title"].split(":")[0] for p in comparison["papers"]] == ["LoRA+", "DyLoRA"]
    assert len(comparison["table"]["cells"][0]) == 2
    assert {c["title"].split(":")[0] for c in comparison["citations"]} == {"LoRA+", "DyLoRA"}


def test_question_about_a_paper_missing_from_the_corpus_is_never_answered(sample_store):
    answer = json.loads(_cli("ask", "How does TinyCLIP compare with FooNet?", "--json",
                             store=sample_store).stdout)
    assert answer["abstained"] and answer["missing"] == ["FooNet"] and answer["citations"] == []
    assert answer["answer"] == "FooNet is not in the corpus."


def test_sample_corpus_clusters_into_stable_labelled_topics(assistant):
    from assistant.digest import in_window
    from assistant.topics import cluster

    dated = in_window(assistant.store.paper_records(), make_window(every=True))
    vectors = assistant.store.paper_embeddings([d.paper.paper_id for d in dated])
    texts = [f"{d.paper.title}. {d.paper.abstract}" for d in dated]
    first = cluster(vectors, texts)
    assert cluster(vectors, texts) == first
    assert 10 <= len(first) <= 20 and sum(len(c.rows) for c in first) == 548
    labels = " | ".join(c.label for c in first)
    for expected in ("remote sensing", "speech", "scaling laws", "video", "medical", "lora"):
        assert expected in labels, labels


def test_topic_digest_cites_only_its_papers_with_checked_sentences(assistant):
    digest = assistant.digest(make_window(every=True), topic="remote sensing")
    assert len(digest.topics) == 1
    topic = digest.topics[0]
    titles = {p.title for p in topic.papers}
    assert 5 <= len(titles) <= 30
    assert any("SSL4EO" in t for t in titles)
    assert {c.title for c in topic.answer.citations} <= titles and topic.answer.citations
    shown = [s for s in topic.answer.sentences if s.shown]
    assert shown and all(s.supported is True if not s.quoted else s.supported is None for s in shown)


SN_NET = "Stitchable Neural Networks"
SN_NET_V2 = "Stitched ViTs are Flexible Vision Backbones"


def test_sn_net_comparison_fills_each_row_from_what_it_asks(assistant):
    """The case of issue 11: problem, data and question rows were wrong or "not stated"."""
    comparison = assistant.compare("What does SN-Netv2 change compared with SN-Net?", [SN_NET, SN_NET_V2])
    v1, v2 = comparison.papers
    assert (v1.title, v2.title) == (SN_NET, SN_NET_V2)
    cell = lambda row, paper: comparison.cell(row, paper.paper_id).text  # noqa: E731
    assert "fundamental question of how to efficiently assemble" in cell("problem", v1)
    assert "However, existing works" in cell("problem", v2)
    data = cell("data / scale", v2)
    assert all(name in data for name in ("ImageNet-1K", "ADE20K", "COCO-Stuff-10K", "NYUv2"))
    changes = cell("on the question", v2)
    assert all(change in changes for change in ("two-way stitching", "resource-constrained sampling",
                                                "low-rank update"))
    used = [c.evidence.start for c in comparison.cells if c.paper_id == v2.paper_id and c.evidence
            and c.row in ("problem", "key idea")]
    assert len(used) == len(set(used))
    paragraph = [s for s in comparison.answer.sentences if s.shown]
    by_marker = {e.marker: e.paper_id for e in comparison.answer.evidence}
    assert paragraph and all(len({by_marker[m] for m in s.markers}) == 2 or s.action != "templated"
                             for s in paragraph)
    from assistant.phrasing import contrast_share

    assert contrast_share(comparison.answer.sentences, by_marker) >= 0.5


def test_real_daily_papers_week_digest(tmp_path_factory, model_cache, real_embedder):
    """2025-W11 of ../shared/real/hf_daily_papers: every listed paper, labelled topics, cited
    third-person sentences without fragments, lists with links and upvotes."""
    from pathlib import Path

    from assistant.app import Assistant
    from assistant.markdown import digest_markdown
    from assistant.phrasing import is_fragment
    from assistant.settings import Settings
    from assistant.store import Store

    days = sorted((Path(__file__).resolve().parents[2] / "shared/real/hf_daily_papers").glob("2025-03-1[0-4].json"))
    if len(days) != 5:
        pytest.skip("the real Daily Papers days are not here")
    path = tmp_path_factory.mktemp("week-store")
    assistant = Assistant(Settings(store=path, model_cache=model_cache),
                          Store(path, real_embedder.name, real_embedder.dimension), real_embedder)
    assistant.ingest(days)
    listed = {e["paper"]["id"] for day in days for e in json.loads(day.read_text())}
    digest = assistant.digest(make_window(week="2025-W11"))
    assert digest.papers == len(listed) and len(digest.topics) >= 3
    assert all(t.label != "other" for t in digest.topics)
    shown = [s for t in digest.topics for s in t.answer.sentences if s.shown]
    assert shown and all(s.markers and not is_fragment(s.text) for s in shown)
    assert not any(w in s.text.lower().split() for s in shown for w in ("we", "our"))
    text = digest_markdown(digest)
    assert "## Top papers of the week" in text and text.count("https://arxiv.org/abs/") >= len(listed)
