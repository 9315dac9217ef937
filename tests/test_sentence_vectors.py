"""Sentence vectors stored at ingest (fake embedder, real Chroma and SQLite): answering a question
embeds only the question and the model's sentences, old stores still answer, and the rows follow
their papers through updates, deletes and rebuilds."""

import json
import logging

import numpy as np
import pytest

from assistant.app import Assistant
from assistant.evidence import SentenceMemory, select_evidence
from assistant.schema import Paper, SentenceVectors
from assistant.settings import Settings
from assistant.store import Store
from assistant.store.sentences import SENTENCES_FILE
from assistant.text import split_sentences
from conftest import ScriptedGenerator
from fakes import HashingEmbedder

PAPERS = [
    {"title": "TinyCLIP: Distillation for CLIP",
     "abstract": "We propose TinyCLIP, a cross-modal distillation method for CLIP models. It uses "
                 "affinity mimicking and weight inheritance. The smallest TinyCLIP model reaches "
                 "84.8% zero-shot accuracy on ImageNet."},
    {"title": "Speech at Scale",
     "abstract": "We train a speech recognition model on 680,000 hours of audio. It transcribes "
                 "many languages, e.g. Swahili, robustly."},
    {"title": "Graph Transformers for Molecules",
     "abstract": "Graph transformers predict molecular properties. Attention runs over atoms and "
                 "bonds. Code is available online."},
]
QUESTION = "What does TinyCLIP distil?"
REPLY = "TinyCLIP is a cross-modal distillation method for CLIP models [1]."


class CountingEmbedder(HashingEmbedder):
    """The fake embedder, recording every text it embeds."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.queries: list[str] = []

    def embed(self, texts):
        self.texts.extend(texts)
        return super().embed(texts)

    def embed_query(self, text):
        self.queries.append(text)
        return super().embed([text])[0]  # not counted among the embedded texts


def _source(tmp_path, papers=PAPERS):
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    return path


def _assistant(path, embedder, reply=REPLY):
    store = Store(path, embedder.name, embedder.dimension)
    return Assistant(Settings(store=path, min_relevance=0.0, min_evidence=0.0), store, embedder,
                     generator=ScriptedGenerator(reply))


def _sentences(papers):
    return {p.abstract[s:e] for p in papers for s, e in split_sentences(p.abstract)}


@pytest.fixture
def ingested(tmp_path):
    path = tmp_path / "store"
    assistant = _assistant(path, HashingEmbedder())
    assert assistant.ingest([_source(tmp_path)]).added == len(PAPERS)
    return path


def test_ingest_stores_every_sentence_vector_with_its_offsets(ingested):
    embedder = HashingEmbedder()
    store = Store(ingested, embedder.name, embedder.dimension, read_only=True)
    papers = store.papers()
    stored = store.sentence_vectors(papers)
    assert set(stored) == {p.paper_id for p in papers}
    for paper in papers:
        rows = stored[paper.paper_id]
        assert list(rows.spans) == split_sentences(paper.abstract)
        texts = [paper.abstract[s:e] for s, e in rows.spans]
        np.testing.assert_allclose(rows.vectors, embedder.embed(texts), atol=1e-6)


def test_answering_embeds_the_question_and_the_model_sentences_only(ingested):
    embedder = CountingEmbedder()
    assistant = _assistant(ingested, embedder)
    answer = assistant.ask(QUESTION)
    assert not answer.abstained and answer.evidence
    assert not set(embedder.texts) & _sentences(assistant.papers())  # neither evidence nor judge
    assert embedder.texts  # the model's sentence was embedded, for the judge
    assert QUESTION in embedder.queries


def test_stored_vectors_select_the_same_evidence_as_embedding_on_the_fly(ingested):
    embedder = CountingEmbedder()
    assistant = _assistant(ingested, embedder)
    papers = assistant.papers()
    assistant.sentences.recall(papers)
    stored = select_evidence(QUESTION, papers, assistant.sentences, 4)
    assert embedder.texts == []  # every sentence came from the store
    fresh = select_evidence(QUESTION, papers, HashingEmbedder(), 4)
    assert [(e.paper_id, e.start, e.end) for e in stored] == [(e.paper_id, e.start, e.end) for e in fresh]
    np.testing.assert_allclose([e.score for e in stored], [e.score for e in fresh], atol=1e-6)


def test_a_store_without_sentence_vectors_answers_logs_once_and_reindex_adds_them(
        ingested, caplog, monkeypatch):
    (ingested / SENTENCES_FILE).unlink()  # as a store made before sentence vectors were stored
    for suffix in ("-wal", "-shm"):
        (ingested / (SENTENCES_FILE + suffix)).unlink(missing_ok=True)
    embedder = CountingEmbedder()
    assistant = _assistant(ingested, embedder)
    with caplog.at_level(logging.WARNING, logger="assistant.store.index"):
        first, second = assistant.ask(QUESTION), assistant.ask(QUESTION)
    assistant.store.sentence_vectors(assistant.papers())  # a third read: still one warning
    assert first.text == second.text and not first.abstained
    assert [r.getMessage() for r in caplog.records].count(caplog.records[0].getMessage()) == 1
    assert "assistant reindex" in caplog.records[0].getMessage() and len(caplog.records) == 1
    tinyclip = [p for p in assistant.papers() if p.title == PAPERS[0]["title"]]  # named: the focus
    assert all(embedder.texts.count(t) == 1 for t in _sentences(tinyclip))  # on the fly, once

    from assistant import app as app_module
    from assistant.upkeep import reindex_store

    monkeypatch.setattr(app_module, "build_embedder", lambda settings: HashingEmbedder())
    assert reindex_store(Settings(store=ingested)) == len(PAPERS)
    store = Store(ingested, embedder.name, embedder.dimension, read_only=True)
    assert set(store.sentence_vectors(store.papers())) == {p.paper_id for p in store.papers()}


def test_sentence_vectors_follow_an_updated_abstract_and_go_with_a_deleted_paper(ingested, tmp_path):
    changed = [dict(PAPERS[0], abstract="TinyCLIP distils CLIP. It is small.")] + PAPERS[1:]
    assistant = _assistant(ingested, HashingEmbedder())
    assert assistant.ingest([_source(tmp_path, changed)]).updated == 1
    paper = assistant.papers()[[p.title for p in assistant.papers()].index(PAPERS[0]["title"])]
    rows = assistant.store.sentence_vectors([paper])[paper.paper_id]
    assert [paper.abstract[s:e] for s, e in rows.spans] == ["TinyCLIP distils CLIP.", "It is small."]
    assert assistant.delete([paper.paper_id]) == 1
    assert assistant.store.sentences.count("") == len(PAPERS) - 1
    assert paper.paper_id not in assistant.store.sentences.read("", [paper])


def test_a_rebuild_writes_its_own_rows_and_sweeps_the_old_ones(ingested, monkeypatch):
    from assistant import app as app_module
    from assistant.upkeep import reindex_store

    monkeypatch.setattr(app_module, "build_embedder", lambda settings: HashingEmbedder(128))
    assert reindex_store(Settings(store=ingested)) == len(PAPERS)
    store = Store(ingested, "hashing-bow-128", 128, read_only=True)
    assert store.prefix and store.sentences.count(store.prefix) == len(PAPERS)
    assert store.sentences.count("") == 0  # the 256-d rows went with the old index
    rows = store.sentence_vectors(store.papers())
    assert {r.vectors.shape[1] for r in rows.values()} == {128}


def test_memory_uses_stored_rows_and_never_rows_cut_at_other_offsets():
    paper = Paper(paper_id="p", title="T", abstract="First sentence here. Second one follows.")
    spans = tuple(split_sentences(paper.abstract))
    good = SentenceVectors("p", spans, np.eye(2, 256, dtype=np.float32))
    embedder = CountingEmbedder()
    memory = SentenceMemory(embedder, lambda papers: {"p": good})
    memory.recall([paper])
    texts = [paper.abstract[s:e] for s, e in spans]
    np.testing.assert_array_equal(memory.embed(texts), good.vectors)
    assert embedder.texts == []
    other = SentenceVectors("p", ((0, len(paper.abstract)),), np.ones((1, 256), dtype=np.float32))
    fallback = SentenceMemory(embedder, lambda papers: {"p": other})
    fallback.recall([paper])
    np.testing.assert_allclose(fallback.embed(texts), HashingEmbedder().embed(texts), atol=1e-6)
    assert embedder.texts == texts


def test_memory_keeps_the_most_recently_used_texts_only():
    embedder = CountingEmbedder()
    memory = SentenceMemory(embedder, lambda papers: {}, capacity=2)
    memory.embed(["one a", "two b"])
    memory.embed(["one a", "three c"])  # "two b" is the least recently used: evicted
    embedder.texts.clear()
    memory.embed(["one a", "three c", "two b"])
    assert embedder.texts == ["two b"]


def test_rows_of_another_version_of_a_paper_are_not_read(tmp_path):
    from assistant.store.sentences import SentenceTable

    table = SentenceTable(tmp_path, 4)
    old = Paper(paper_id="p", title="T", abstract="Old abstract.")
    new = Paper(paper_id="p", title="T", abstract="New abstract.")
    table.write("", [(old, SentenceVectors("p", ((0, 13),), np.ones((1, 4), dtype=np.float32)))])
    assert set(table.read("", [old])) == {"p"}
    assert table.read("", [new]) == {}  # its hash is not the one the row was written for


def test_comparisons_and_digests_read_the_stored_sentence_vectors(ingested):
    from assistant.dates import make_window

    embedder = CountingEmbedder()
    assistant = _assistant(ingested, embedder, reply="")
    comparison = assistant.compare(names=[PAPERS[0]["title"], PAPERS[1]["title"]])
    digest = assistant.digest(make_window(every=True))
    assert comparison.papers and digest.topics
    assert not set(embedder.texts) & _sentences(assistant.papers())
