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
    assert shown and all(s.supported is True if not s.quoted else s.supported is None for s in shown)
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
