import json

import pytest

from assistant.chunking import Chunker
from assistant.ingest import ingest, reindex
from assistant.schema import AssistantError
from assistant.store import Store, stored_signature

ABSTRACT = ("We study {topic} in depth. Our method improves accuracy by a large margin on three "
            "benchmarks, and we release code and models for {topic} research to the community. ") * 3


def _records(*topics):
    return [{"title": f"A Study of {t.title()}", "abstract": ABSTRACT.format(topic=t)} for t in topics]


def _write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _ingest(paths, store, embedder):
    return ingest(paths, store, embedder, lambda: Chunker(160, 32))


def _snapshot(store):
    return store.paper_hashes(), sorted(c.chunk_id for c in store.chunks())


def test_ingest_adds_papers_with_chunks_and_offsets(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    report = _ingest([_write_jsonl(tmp_path / "a.jsonl", _records("lora", "speech"))], store, fake_embedder)
    assert (report.added, report.updated, report.unchanged, report.rejected) == (2, 0, 0, [])
    papers = {p.paper_id: p for p in store.papers()}
    for chunk in store.chunks():
        assert papers[chunk.paper_id].abstract[chunk.start:chunk.end] == chunk.text


def test_reingest_of_unchanged_files_embeds_nothing(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    source = _write_jsonl(tmp_path / "a.jsonl", _records("lora", "speech"))
    _ingest([source], store, fake_embedder)
    again = _ingest([source], store, fake_embedder)
    assert (again.added, again.unchanged, again.chunks_embedded) == (0, 2, 0)


def test_changed_abstract_updates_the_paper_and_replaces_its_chunks(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    _ingest([_write_jsonl(tmp_path / "a.jsonl", _records("lora"))], store, fake_embedder)
    changed = _records("lora")
    changed[0]["abstract"] = "A short new abstract about lora adapters."
    report = _ingest([_write_jsonl(tmp_path / "a.jsonl", changed)], store, fake_embedder)
    assert report.updated == 1
    assert [c.text for c in store.chunks()] == ["A short new abstract about lora adapters."]
    assert store.count() == (1, 1)


def test_duplicates_across_files_collapse_to_one_paper(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    first = _write_jsonl(tmp_path / "a.jsonl", _records("lora", "speech"))
    second = _write_jsonl(tmp_path / "b.jsonl", _records("speech", "video"))
    report = _ingest([first, second], store, fake_embedder)
    assert (report.added, report.duplicates) == (3, 1)
    assert store.count()[0] == 3


@pytest.mark.parametrize("name, content, reason", [
    ("empty.jsonl", b"", "empty"),
    ("binary.txt", b"\x00\x01\x02binary", "binary"),
    ("latin1.txt", "Caf\xe9 title\n".encode("latin-1"), "UTF-8"),
    ("truncated.json", b'[{"title": "A", "abstract": "B', "JSON"),
    ("noabstract.jsonl", b'{"title": "Only a title"}\n', "abstract"),
])
def test_malformed_file_is_rejected_and_leaves_the_store_unchanged(
        tmp_path, fake_embedder, make_store, name, content, reason):
    store = make_store(tmp_path / "store", fake_embedder)
    _ingest([_write_jsonl(tmp_path / "good.jsonl", _records("lora"))], store, fake_embedder)
    before = _snapshot(store)
    bad = tmp_path / name
    bad.write_bytes(content)
    report = _ingest([bad], store, fake_embedder)
    assert report.added == 0 and len(report.rejected) == 1
    assert reason.lower() in report.rejected[0].reason.lower()
    assert str(bad) in str(report.rejected[0])
    assert _snapshot(store) == before


def test_bad_record_does_not_stop_the_good_ones(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    source = tmp_path / "mixed.jsonl"
    lines = [json.dumps(r) for r in _records("lora")] + ["{not json"] + [json.dumps(r) for r in _records("video")]
    source.write_text("\n".join(lines) + "\n")
    report = _ingest([source], store, fake_embedder)
    assert report.added == 2 and [r.line for r in report.rejected] == [2]


def test_store_made_by_another_embedder_is_a_clear_error(tmp_path, fake_embedder, make_store):
    from assistant.embedders import HashingEmbedder

    path = tmp_path / "store"
    store = make_store(path, fake_embedder)
    _ingest([_write_jsonl(tmp_path / "a.jsonl", _records("lora"))], store, fake_embedder)
    with pytest.raises(AssistantError, match="assistant reindex"):
        Store(path, "other-model", 384)
    other = HashingEmbedder(dimension=128)
    assert reindex(path, other, Chunker(160, 32)) == 1
    assert stored_signature(path)["dimension"] == 128
    reopened = Store(path, other.name, other.dimension)
    assert reopened.count()[0] == 1


def test_chunks_of_an_interrupted_write_are_ignored(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    _ingest([_write_jsonl(tmp_path / "a.jsonl", _records("lora"))], store, fake_embedder)
    paper = store.papers()[0]
    # a crash after writing chunks of a new version but before its paper record
    store._chunks.upsert(ids=[f"{paper.paper_id}#deadbeef#0"], documents=["stale"],
                         embeddings=[fake_embedder.embed(["stale"])[0].tolist()],
                         metadatas=[{"paper_id": paper.paper_id, "title": paper.title, "start": 0,
                                     "end": 5, "hash": "deadbeef"}])
    assert "stale" not in [c.text for c in store.chunks()]
