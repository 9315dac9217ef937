"""The ledger, read-only stores, Chroma failures and repair (fake embedder, real Chroma)."""

import json
import os
import signal
import sqlite3

import pytest

from assistant.chunking import Chunker
from assistant.ingest import ingest, reindex
from assistant.schema import AssistantError
from assistant.store import Ledger, Store, stored_signature

ABSTRACT = "We study {topic} with a new method. It improves results on three benchmarks. " * 2


def _source(path, topics, abstract=ABSTRACT):
    path.write_text("".join(json.dumps({"title": f"A Study of {t}", "abstract": abstract.format(topic=t)})
                            + "\n" for t in topics), encoding="utf-8")
    return path


def _ingest(paths, store, embedder):
    return ingest(paths, store, embedder, lambda: Chunker(160, 32))


def _papers(store):
    return sorted((p.paper_id, p.abstract) for p in store.papers())


def test_changed_abstract_is_reported_and_its_previous_version_kept(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    _ingest([_source(tmp_path / "a.jsonl", ["lora", "speech"])], store, fake_embedder)
    old = {p.title: p for p in store.papers()}["A Study of lora"]
    report = _ingest([_source(tmp_path / "a.jsonl", ["lora", "speech"], "A new abstract on {topic}.")],
                     store, fake_embedder)
    assert report.updated == 2
    assert sorted((c.title, c.changed) for c in report.changes) == [
        ("A Study of lora", ("abstract",)), ("A Study of speech", ("abstract",))]
    versions = store.ledger.versions(old.paper_id)
    assert [paper.abstract for paper, _ in versions] == [old.abstract]
    assert {p.paper_id: p.abstract for p in store.papers()}[old.paper_id] == "A new abstract on lora."


def test_a_new_upvote_count_is_an_update_but_not_a_replaced_abstract(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    source = tmp_path / "a.jsonl"
    source.write_text(json.dumps({"title": "T", "abstract": "An abstract.", "upvotes": 1}) + "\n")
    _ingest([source], store, fake_embedder)
    source.write_text(json.dumps({"title": "T", "abstract": "An abstract.", "upvotes": 2}) + "\n")
    report = _ingest([source], store, fake_embedder)
    assert (report.updated, report.changes) == (1, [])
    assert len(store.ledger.versions(store.papers()[0].paper_id)) == 1


def test_read_only_store_creates_no_collection(tmp_path, fake_embedder):
    (tmp_path / "store").mkdir()
    store = Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension, read_only=True)
    assert (store.count(), store.chunks(), store.papers()) == ((0, 0), [], [])
    assert list((tmp_path / "store").iterdir()) == []
    with pytest.raises(AssistantError, match="read-only"):
        store.delete(["x"])


def test_read_only_store_with_an_index_folder_creates_no_collection(tmp_path, fake_embedder):
    Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension)  # folder, ledger, no writes
    reader = Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension, read_only=True)
    assert reader.count() == (0, 0) and reader.nearest_chunks(fake_embedder.embed_query("x"), 3) == []
    assert reader._client.list_collections() == []


def test_search_of_a_fresh_empty_store_leaves_it_unchanged(tmp_path, run_cli):
    (tmp_path / "store").mkdir()
    assert run_cli("search", "lora")[0] == 0
    assert list((tmp_path / "store").iterdir()) == []


def test_newer_schema_is_a_one_line_error(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    _ingest([_source(tmp_path / "a.jsonl", ["lora"])], store, fake_embedder)
    store._papers.modify(metadata={**store._papers.metadata, "schema": 99})
    with pytest.raises(AssistantError, match=r"has schema 99, newer than this version of assistant "
                                             r"knows \(1\): upgrade assistant"):
        Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension, read_only=True)


def test_sigterm_during_ingest_finishes_the_batch_and_stops(tmp_path, fake_embedder, make_store, monkeypatch):
    import assistant.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "WRITE_BATCH", 2)
    store = make_store(tmp_path / "store", fake_embedder)
    real_embed, calls = fake_embedder.embed, []

    def embed_and_signal(texts):
        calls.append(len(texts))
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # arrives in the middle of the second batch
        return real_embed(texts)

    monkeypatch.setattr(fake_embedder, "embed", embed_and_signal)
    report = _ingest([_source(tmp_path / "a.jsonl", [f"topic{i}" for i in range(7)])], store, fake_embedder)
    assert report.interrupted and len(calls) == 2
    assert store.count()[0] == 4 and len(store.ledger.hashes()) == 4
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_interrupted_ingest_says_so_and_exits_130(tmp_path, run_cli, monkeypatch):
    from assistant import app

    real = app.ingest

    def interrupted(*args, **kwargs):
        report = real(*args, **kwargs)
        report.interrupted = True
        return report

    monkeypatch.setattr(app, "ingest", interrupted)
    code, out, err = run_cli("ingest", str(_source(tmp_path / "a.jsonl", ["lora"])))
    assert code == 130 and out.startswith("added 1,")
    assert err == ("interrupted: the papers written so far are stored; run the same ingest again "
                   "to add the rest\n")


def _garble(folder):
    for path in folder.rglob("*"):
        if path.is_file():
            path.write_bytes(b"\x00garbage" * 64)


@pytest.mark.parametrize("damage", ["delete", "garble"])
def test_damaged_index_is_one_line_error_and_repair_restores_the_papers(
        tmp_path, run_cli, fake_embedder, damage):
    import shutil

    source = _source(tmp_path / "a.jsonl", ["lora", "speech", "video"])
    assert run_cli("ingest", str(source))[0] == 0
    before = _papers(Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension, read_only=True))
    shutil.rmtree(tmp_path / "store" / "chroma") if damage == "delete" else _garble(tmp_path / "store" / "chroma")
    code, out, err = run_cli("search", "lora")
    assert code == 1 and out == "" and err.count("\n") == 1
    assert err.startswith("error: ") and f"store {tmp_path / 'store'}" in err
    assert "`assistant repair` rebuilds it from the store's ledger" in err
    assert run_cli("stats")[1].startswith("papers: 3\nchunks: ")  # from the ledger
    code, out, err = run_cli("repair")
    assert (code, out) == (0, "repaired: 3 papers re-embedded from the ledger\n")
    source.unlink()  # repair needs no source file
    after = Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension, read_only=True)
    assert _papers(after) == before and len({c.paper_id for c in after.chunks()}) == 3
    code, out, _ = run_cli("search", "lora")
    assert code == 0 and "A Study of lora" in out.splitlines()[0]
    assert [p.name for p in (tmp_path / "store").glob("chroma*")] == ["chroma-build1"]


def test_chroma_internal_error_on_read_is_one_line(tmp_path, run_cli, monkeypatch):
    from chromadb.errors import InternalError
    from chromadb.api.models.Collection import Collection

    assert run_cli("ingest", str(_source(tmp_path / "a.jsonl", ["lora"])))[0] == 0

    def wedged(self, *args, **kwargs):
        raise InternalError("Error executing plan: Error sending backfill request to compactor: "
                            "Failed to apply logs to the hnsw segment writer")

    monkeypatch.setattr(Collection, "get", wedged)
    monkeypatch.setattr(Collection, "query", wedged)
    code, out, err = run_cli("search", "lora")
    assert (code, out) == (1, "")
    assert err == (f"error: the Chroma index of store {tmp_path / 'store'} cannot be read (InternalError: "
                   "Error executing plan: Error sending backfill request to compactor: Failed to apply "
                   "logs to the hnsw segment writer): `assistant repair` rebuilds it from the store's "
                   "ledger\n")


def test_store_made_before_ledgers_is_adopted_then_repairable(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    _ingest([_source(tmp_path / "a.jsonl", ["lora", "speech"])], store, fake_embedder)
    before = _papers(store)
    store.ledger.close()
    (tmp_path / "store" / "ledger.sqlite3").unlink()
    for leftover in (tmp_path / "store").glob("ledger.sqlite3-*"):
        leftover.unlink()
    old = Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension, read_only=True)
    assert _papers(old) == before and old.ledger is None
    assert reindex(tmp_path / "store", fake_embedder, Chunker(160, 32)) == 2
    assert Ledger.exists(tmp_path / "store")
    assert _papers(Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension)) == before
    assert stored_signature(tmp_path / "store")["embedder"] == fake_embedder.name


def test_ledger_survives_and_counts_without_chroma(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    _ingest([_source(tmp_path / "a.jsonl", ["lora", "speech"])], store, fake_embedder)
    rows = sqlite3.connect(tmp_path / "store" / "ledger.sqlite3").execute(
        "SELECT COUNT(*) FROM papers WHERE indexed = hash").fetchone()
    assert rows == (2,)
    assert store.ledger.generation >= 2


# The lexical index saved with the store -----------------------------------------------------------

def _ranked(retriever, query):
    return [(p.paper_id, round(p.score, 6)) for p in retriever.search(query, 5)]


def test_lexical_index_is_saved_with_the_store_and_loaded_without_reading_chunks(
        tmp_path, fake_embedder, make_store, monkeypatch):
    from assistant.retrieval import Retriever

    store = make_store(tmp_path / "store", fake_embedder)
    _ingest([_source(tmp_path / "a.jsonl", ["lora", "speech", "video"])], store, fake_embedder)
    built = Retriever(store, fake_embedder)
    saved = tmp_path / "store" / "cache" / f"lexical-{store.version}"
    assert (saved / "lexicon.sqlite3").is_file()
    reader = Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension, read_only=True)
    monkeypatch.setattr(reader, "chunks", lambda: pytest.fail("read the chunks from Chroma"))
    loaded = Retriever(reader, fake_embedder)
    assert _ranked(loaded, "speech benchmarks") == _ranked(built, "speech benchmarks")
    assert loaded.vocabulary == built.vocabulary and loaded.titles == built.titles


def test_a_search_on_a_saved_lexicon_reads_only_the_rows_it_ranks(
        tmp_path, fake_embedder, make_store, monkeypatch):
    """Start-up must not grow with the corpus: no title list, no vocabulary, no chunk scan."""
    from assistant.lexicon import Lexicon
    from assistant.retrieval import Retriever

    store = make_store(tmp_path / "store", fake_embedder)
    _ingest([_source(tmp_path / "a.jsonl", ["LoRA", "speech", "video", "TinyCLIP"])], store,
            fake_embedder)
    built = Retriever(store, fake_embedder)
    for whole_corpus in ("titles", "vocabulary"):
        monkeypatch.setattr(Lexicon, whole_corpus, lambda self: pytest.fail("read every paper"))
    reader = Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension, read_only=True)
    loaded = Retriever(reader, fake_embedder)
    assert isinstance(loaded._corpus, Lexicon)
    for query in ("speech benchmarks", "What does TinyCLIP do?", "A Study of video"):
        assert _ranked(loaded, query) == _ranked(built, query)
        assert loaded.names.named_in(query) == built.names.named_in(query)
    assert loaded.names.named_in("What does TinyCLIP do?")  # a name found through the lexicon


def test_a_changed_store_rebuilds_its_lexical_index_and_read_only_saves_nothing(
        tmp_path, fake_embedder, make_store):
    from assistant.retrieval import Retriever

    store = make_store(tmp_path / "store", fake_embedder)
    _ingest([_source(tmp_path / "a.jsonl", ["lora"])], store, fake_embedder)
    Retriever(store, fake_embedder)
    _ingest([_source(tmp_path / "b.jsonl", ["speech"])], store, fake_embedder)
    reader = Store(tmp_path / "store", fake_embedder.name, fake_embedder.dimension, read_only=True)
    assert [p.title for p in Retriever(reader, fake_embedder).search("speech", 1)] == ["A Study of speech"]
    assert not (tmp_path / "store" / "cache" / f"lexical-{store.version}").exists()
    Retriever(store, fake_embedder)
    assert [p.name for p in (tmp_path / "store" / "cache").iterdir()] == [f"lexical-{store.version}"]
