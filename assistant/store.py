"""The Chroma store: papers and their chunks, always with our own embeddings.

No other module touches chromadb. Two collections share one embedder signature:
- `papers`: one record per paper (document = abstract, embedding = mean of its chunk embeddings);
- `chunks`: the pieces retrieval searches (document = chunk text, metadata = paper id and offsets).
A paper record is written after its chunks, so it is the commit mark: chunks whose paper record is
missing or carries another content hash are leftovers of an interrupted write and are ignored and
swept on the next write.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.schema import AssistantError, Chunk, Paper
from assistant.vectors import unit_mean

log = logging.getLogger(__name__)

PAPERS = "papers"
CHUNKS = "chunks"
SCHEMA_VERSION = 1
_NONE = ""  # Chroma metadata holds no None


@dataclass(frozen=True)
class StoredPaper:
    """A paper as written: the paper, its chunks and their embeddings (rows match chunks)."""

    paper: Paper
    chunks: list[Chunk]
    embeddings: np.ndarray
    added: str  # ISO date of the ingest that first stored it


def _paper_metadata(item: StoredPaper) -> dict:
    paper = item.paper
    return {
        "title": paper.title, "hash": paper.content_hash, "authors": "; ".join(paper.authors),
        "arxiv_id": paper.arxiv_id or _NONE, "published": paper.published or _NONE,
        "listing_date": paper.listing_date or _NONE, "url": paper.url or _NONE,
        "source": paper.source, "line": paper.line, "truncated": paper.truncated,
        "listed_on": paper.listed_on or _NONE,
        "upvotes": _NONE if paper.upvotes is None else paper.upvotes,
        "chunks": len(item.chunks), "added": item.added,
    }


def _paper_from_record(paper_id: str, abstract: str, meta: dict) -> Paper:
    return Paper(
        paper_id=paper_id, title=meta["title"], abstract=abstract,
        authors=tuple(a for a in meta.get("authors", "").split("; ") if a),
        arxiv_id=meta.get("arxiv_id") or None, published=meta.get("published") or None,
        listing_date=meta.get("listing_date") or None, url=meta.get("url") or None,
        source=meta.get("source", ""), line=int(meta.get("line", 0)),
        truncated=bool(meta.get("truncated", False)),
        listed_on=meta.get("listed_on") or None,
        upvotes=None if meta.get("upvotes", _NONE) == _NONE else int(meta["upvotes"]),
    )


class Store:
    """Papers and chunks in Chroma, tied to one embedder (name and dimension)."""

    def __init__(self, path: Path, embedder_name: str, dimension: int, prefix: str = ""):
        self.path = Path(path)
        self.embedder_name = embedder_name
        self.dimension = dimension
        self.prefix = prefix
        self._client = _open_client(self.path)
        self._papers = self._collection(prefix + PAPERS)
        self._chunks = self._collection(prefix + CHUNKS)

    def _collection(self, name: str):
        signature = {"embedder": self.embedder_name, "dimension": self.dimension,
                     "schema": SCHEMA_VERSION}
        existing = {c.name for c in self._client.list_collections()}
        if name not in existing:
            return self._client.create_collection(
                name, embedding_function=None, metadata=signature,
                configuration={"hnsw": {"space": "cosine"}},
            )
        collection = self._client.get_collection(name, embedding_function=None)
        _check_signature(self.path, collection.metadata or {}, signature)
        return collection

    # --- reading -------------------------------------------------------------------------
    def paper_hashes(self) -> dict[str, str]:
        got = _get_all(self._papers, ["metadatas"])
        return {pid: meta["hash"] for pid, meta in zip(got["ids"], got["metadatas"])}

    def count(self) -> tuple[int, int]:
        return self._papers.count(), self._chunks.count()

    def papers(self, paper_ids: Sequence[str] | None = None) -> list[Paper]:
        if paper_ids is not None and not paper_ids:
            return []
        wanted = list(dict.fromkeys(paper_ids)) if paper_ids is not None else None
        got = _get_all(self._papers, ["documents", "metadatas"], wanted)
        by_id = {pid: _paper_from_record(pid, doc, meta)
                 for pid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])}
        order = wanted if wanted is not None else sorted(by_id)
        return [by_id[pid] for pid in order if pid in by_id]

    def paper_records(self) -> list[tuple[Paper, str]]:
        """Every paper with the date it was first added."""
        got = _get_all(self._papers, ["documents", "metadatas"])
        return [(_paper_from_record(pid, doc, meta), meta.get("added", ""))
                for pid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])]

    def chunks(self) -> list[Chunk]:
        """Every committed chunk (leftovers of an interrupted write are skipped)."""
        hashes = self.paper_hashes()
        got = _get_all(self._chunks, ["documents", "metadatas"])
        return [_chunk(cid, doc, meta) for cid, doc, meta
                in zip(got["ids"], got["documents"], got["metadatas"])
                if hashes.get(meta["paper_id"]) == meta["hash"]]

    def nearest_chunks(self, query: np.ndarray, limit: int) -> list[tuple[Chunk, float]]:
        """Chunks closest to a query embedding, with their cosine similarity."""
        total = self._chunks.count()
        if total == 0:
            return []
        got = self._chunks.query(query_embeddings=[query.tolist()], n_results=min(limit, total),
                                 include=["documents", "metadatas", "distances"])
        return [(_chunk(cid, doc, meta), 1.0 - float(distance)) for cid, doc, meta, distance
                in zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])]

    def chunk_embeddings(self, chunk_ids: Sequence[str]) -> np.ndarray:
        return self._embeddings(self._chunks, chunk_ids)

    def paper_embeddings(self, paper_ids: Sequence[str]) -> np.ndarray:
        """Each paper's embedding (the mean of its chunks'), row for row."""
        return self._embeddings(self._papers, paper_ids)

    def _embeddings(self, collection, ids: Sequence[str]) -> np.ndarray:
        if not ids:  # Chroma's get(ids=[]) would return every record
            return np.zeros((0, self.dimension), dtype=np.float32)
        got = _get_all(collection, ["embeddings"], list(ids))
        by_id = dict(zip(got["ids"], got["embeddings"]))
        return np.asarray([by_id[i] for i in ids], dtype=np.float32)

    # --- writing -------------------------------------------------------------------------
    def write(self, items: Iterable[StoredPaper]) -> None:
        """Add or replace papers; chunks first, then the paper record that commits them."""
        items = list(items)
        if not items:
            return
        batch = self._client.get_max_batch_size()
        chunks = [(c, e, item.paper.content_hash) for item in items
                  for c, e in zip(item.chunks, item.embeddings)]
        for start in range(0, len(chunks), batch):
            part = chunks[start:start + batch]
            self._chunks.upsert(
                ids=[c.chunk_id for c, _, _ in part], documents=[c.text for c, _, _ in part],
                embeddings=np.asarray([e for _, e, _ in part], dtype=np.float32),
                metadatas=[{"paper_id": c.paper_id, "title": c.title, "start": c.start,
                            "end": c.end, "hash": h} for c, _, h in part],
            )
        for start in range(0, len(items), batch):
            part = items[start:start + batch]
            first_added = self._added_dates([i.paper.paper_id for i in part])
            metadatas = [_paper_metadata(i) for i in part]
            for meta, item in zip(metadatas, part):
                meta["added"] = first_added.get(item.paper.paper_id, item.added)
            self._papers.upsert(
                ids=[i.paper.paper_id for i in part], documents=[i.paper.abstract for i in part],
                embeddings=np.asarray([unit_mean(i.embeddings) for i in part], dtype=np.float32),
                metadatas=metadatas,
            )
        self._sweep({i.paper.paper_id: i.paper.content_hash for i in items})

    def _added_dates(self, paper_ids: list[str]) -> dict[str, str]:
        got = self._papers.get(ids=paper_ids, include=["metadatas"])
        return {pid: meta.get("added", "") for pid, meta in zip(got["ids"], got["metadatas"])}

    def delete(self, paper_ids: Sequence[str]) -> int:
        """Remove papers and their chunks; returns how many papers were there."""
        present = self._papers.get(ids=list(paper_ids), include=[])["ids"]
        if present:
            self._papers.delete(ids=present)
            self._chunks.delete(where={"paper_id": {"$in": present}})
        return len(present)

    def _sweep(self, current: dict[str, str]) -> None:
        """Drop chunks of the given papers that belong to an older version of them."""
        got = self._chunks.get(where={"paper_id": {"$in": list(current)}}, include=["metadatas"])
        stale = [cid for cid, meta in zip(got["ids"], got["metadatas"])
                 if meta["hash"] != current[meta["paper_id"]]]
        if stale:
            self._chunks.delete(ids=stale)

    def promote(self) -> None:
        """Make this (prefixed) pair of collections the store's own, replacing the old pair.

        Reindex builds the new collections beside the old ones, so a failure before this point
        leaves the old store whole.
        """
        existing = {c.name for c in self._client.list_collections()}
        for name, collection in ((PAPERS, self._papers), (CHUNKS, self._chunks)):
            if name in existing:
                self._client.delete_collection(name)
            collection.modify(name=name)
        self.prefix = ""

    def discard(self) -> None:
        """Delete this pair of collections (a reindex that failed part-way)."""
        for collection in (self._papers, self._chunks):
            self._client.delete_collection(collection.name)


PAGE = 5000  # records per get: SQLite refuses a statement with too many variables (~32k)


def _get_all(collection, include: list[str], ids: list[str] | None = None) -> dict:
    """`collection.get` in pages, so that a store of 100k papers can be read whole."""
    merged: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    if ids is not None:
        pages = [dict(ids=ids[i:i + PAGE]) for i in range(0, len(ids), PAGE)]
    else:
        pages = [dict(limit=PAGE, offset=o) for o in range(0, collection.count(), PAGE)]
    for page in pages:
        got = collection.get(include=include, **page)
        for key in merged:
            merged[key].extend(got[key])
    return merged


def _chunk(chunk_id: str, text: str, meta: dict) -> Chunk:
    return Chunk(chunk_id=chunk_id, paper_id=meta["paper_id"], title=meta["title"], text=text,
                 start=int(meta["start"]), end=int(meta["end"]))


def _check_signature(path: Path, found: dict, wanted: dict) -> None:
    if found.get("embedder") == wanted["embedder"] and found.get("dimension") == wanted["dimension"]:
        return
    raise AssistantError(
        f"store {path} was built with embedder {found.get('embedder')!r} "
        f"({found.get('dimension')}-d) but the settings use {wanted['embedder']!r} "
        f"({wanted['dimension']}-d): run `assistant reindex` to re-embed it, "
        "or set ASSISTANT_EMBEDDER back"
    )


def stored_signature(path: Path) -> dict | None:
    """The embedder a store was built with, without opening it for writing; None if empty."""
    client = _open_client(Path(path))
    if PAPERS not in {c.name for c in client.list_collections()}:
        return None
    return dict(client.get_collection(PAPERS, embedding_function=None).metadata or {})


def _open_client(path: Path):
    import chromadb

    path = Path(path)
    if path.exists() and not path.is_dir():
        raise AssistantError(f"store path {path} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(
            path=str(path / "chroma"), settings=chromadb.Settings(anonymized_telemetry=False)
        )
    except OSError as error:
        raise AssistantError(f"cannot open store {path}: {error.strerror or error}") from error
