import dataclasses
import datetime as dt
import hashlib
import json

import pytest

from assistant.chunking import Chunker
from assistant.ingest import ingest, reindex
from assistant.schema import AssistantError, ListingDates, Paper
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
    from fakes import HashingEmbedder

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


# Dates and upvotes -------------------------------------------------------------------------------

LISTING = ("Subscribe\n\nSep 3\n\nA Study of Lora\n\n" + ABSTRACT.format(topic="lora") +
           "\n\nFeb 29\n\nA Study of Speech\n\n" + ABSTRACT.format(topic="speech") + "\n")


def _dated_ingest(paths, store, embedder, dating, today=None):
    return ingest(paths, store, embedder, lambda: Chunker(160, 32), today=today, dating=dating)


def _listed_on(store):
    return {paper.title: paper.listed_on for paper in store.papers()}


def test_year_resolves_listing_dates_into_the_store(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    listing = tmp_path / "listing.txt"
    listing.write_text(LISTING, encoding="utf-8")
    report = _dated_ingest([listing], store, fake_embedder, ListingDates(year=2024))
    assert (report.added, report.rejected) == (2, [])
    assert _listed_on(make_store(tmp_path / "store", fake_embedder)) == {
        "A Study of Lora": "2024-09-03", "A Study of Speech": "2024-02-29"}


def test_impossible_date_in_the_year_rejects_those_entries_and_stores_the_rest(
        tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    listing = tmp_path / "listing.txt"
    listing.write_text(LISTING, encoding="utf-8")
    report = _dated_ingest([listing], store, fake_embedder, ListingDates(year=2023))
    assert report.added == 1
    assert [str(r) for r in report.rejected] == [
        f"{listing}:11: listing date 'Feb 29' is not a date in 2023 (day is out of range for month): "
        "'A Study of Speech'"]
    assert _listed_on(store) == {"A Study of Lora": "2023-09-03"}


def test_redating_a_listing_updates_its_papers_and_keeps_the_added_date(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    listing = tmp_path / "listing.txt"
    listing.write_text(LISTING, encoding="utf-8")
    _dated_ingest([listing], store, fake_embedder, None, today=dt.date(2024, 1, 1))
    assert set(_listed_on(store).values()) == {None}
    report = _dated_ingest([listing], store, fake_embedder, ListingDates(listed_on=dt.date(2023, 9, 4)),
                           today=dt.date(2024, 2, 2))
    assert (report.added, report.updated, report.unchanged) == (0, 2, 0)
    assert set(_listed_on(store).values()) == {"2023-09-04"}
    assert {added for _, added in store.paper_records()} == {"2024-01-01"}
    assert store.count()[0] == 2 and len(store.chunks()) == store.count()[1]


def test_listed_on_published_and_upvotes_round_trip_through_the_store(tmp_path, fake_embedder, make_store):
    store = make_store(tmp_path / "store", fake_embedder)
    records = _records("lora", "speech")
    records[0].update(listed_on="2026-11-16", published="2026-11-12", upvotes=42)
    records[1].update(upvotes=0)
    _ingest([_write_jsonl(tmp_path / "a.jsonl", records)], store, fake_embedder)
    stored = {p.title: (p.listed_on, p.published, p.upvotes)
              for p in make_store(tmp_path / "store", fake_embedder).papers()}
    assert stored == {"A Study of Lora": ("2026-11-16", "2026-11-12", 42),
                      "A Study of Speech": (None, None, 0)}
    again = _ingest([_write_jsonl(tmp_path / "a.jsonl", records)], store, fake_embedder)
    assert (again.unchanged, again.chunks_embedded) == (2, 0)


@pytest.mark.parametrize("change", [{"listed_on": "2026-11-17"}, {"published": "2026-11-13"},
                                    {"upvotes": 43}, {"listing_date": "Nov 17"}])
def test_changing_only_a_date_or_upvotes_changes_the_content_hash(change):
    paper = Paper(paper_id="p", title="T", abstract="A.", listed_on="2026-11-16",
                  published="2026-11-12", upvotes=42, listing_date="Nov 16")
    assert dataclasses.replace(paper, **change).content_hash != paper.content_hash


def test_papers_without_the_new_fields_keep_the_hash_they_were_stored_with():
    paper = Paper(paper_id="p", title="T", abstract="A.", authors=("X",), published="2023-09-01")
    before = hashlib.sha1("\x1f".join(["T", "A.", "X", "2023-09-01", "", "", ""]).encode()).hexdigest()[:16]
    assert paper.content_hash == before


def test_ingest_command_dates_listing_entries_with_year_or_date(tmp_path, run_cli, fake_embedder, make_store):
    listing = tmp_path / "listing.txt"
    listing.write_text(LISTING, encoding="utf-8")
    code, out, err = run_cli("ingest", str(listing), "--year", "2023")
    assert code == 1 and out.startswith("added 1, updated 0, unchanged 0, rejected 1")
    assert err == (f"rejected {listing}:11: listing date 'Feb 29' is not a date in 2023 (day is out of "
                   "range for month): 'A Study of Speech'\n")
    code, out, err = run_cli("ingest", str(listing), "--year", "2023", "--date", "2023-09-04")
    assert (code, err) == (0, "") and out.startswith("added 1, updated 1, unchanged 0, rejected 0")
    assert set(_listed_on(make_store(tmp_path / "store", fake_embedder)).values()) == {"2023-09-04"}


@pytest.mark.parametrize(("args", "message"), [
    (["--date", "2023-02-29"], "not a date: '2023-02-29' (day is out of range for month)"),
    (["--date", "Sep 3"], "not a date: 'Sep 3' (expected YYYY-MM-DD, e.g. 2023-09-03)"),
    (["--year", "0"], "--year must be from 1 to 9999, not 0"),
])
def test_ingest_command_rejects_bad_dates_in_one_line_before_reading_files(tmp_path, run_cli, args, message):
    code, out, err = run_cli("ingest", str(tmp_path / "missing.txt"), *args)
    assert (code, out, err) == (1, "", f"error: {message}\n")
    assert not (tmp_path / "store").exists()


def test_store_reads_more_records_than_one_page(tmp_path, fake_embedder, make_store, monkeypatch):
    import assistant.store.chroma as chroma_module

    monkeypatch.setattr(chroma_module, "PAGE", 2)
    store = make_store(tmp_path / "store", fake_embedder)
    _ingest([_write_jsonl(tmp_path / "a.jsonl", _records("lora", "speech", "video", "depth", "audio"))],
            store, fake_embedder)
    assert len(store.paper_hashes()) == 5 and len(store.papers()) == 5
    assert len(store.papers([p.paper_id for p in store.papers()])) == 5
    assert len({c.paper_id for c in store.chunks()}) == 5
