"""The store: a ledger of source records (SQLite) and the Chroma index built from it.

Two Chroma collections share one embedder signature:
- `papers`: one record per paper (document = abstract, embedding = mean of its chunk embeddings);
- `chunks`: the pieces retrieval searches (document = chunk text, metadata = paper id and offsets).
Beside them, each paper's sentence vectors (`assistant.store.sentences`), for evidence selection.
A batch is committed to the ledger first, then written to Chroma, then marked indexed in the
ledger: the mark is the commit, so chunks without it are leftovers of an interrupted write and are
ignored. The collections carry a prefix named by the ledger, so a rebuild (reindex, repair) writes
a new pair beside the live one and switches to it in one ledger transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.schema import AssistantError, Chunk, Paper, SentenceVectors
from assistant.store import chroma
from assistant.store.chroma import SCHEMA_VERSION, check_signature, get_all
from assistant.store.ledger import Ledger
from assistant.store.records import paper_from_metadata, paper_metadata
from assistant.store.sentences import SentenceTable
from assistant.vectors import unit_mean

log = logging.getLogger(__name__)

PAPERS = "papers"
CHUNKS = "chunks"


@dataclass(frozen=True)
class StoredPaper:
    """A paper as written: the paper, its chunks and their embeddings (rows match chunks)."""

    paper: Paper
    chunks: list[Chunk]
    embeddings: np.ndarray
    added: str  # ISO date of the ingest that first stored it
    sentences: SentenceVectors | None = None  # its abstract's sentences, embedded


def check_path(path: Path, read_only: bool) -> None:
    if path.exists() and not path.is_dir():
        raise AssistantError(f"store path {path} is a file, not a folder")
    if read_only and not path.is_dir():
        raise AssistantError(f"store {path} does not exist (ingest papers into it first)")


class Store:
    """Papers in the ledger and their chunks in Chroma, tied to one embedder (name and dimension).

    A read-only store never creates or changes anything; a writable one creates its folder now
    and its collections at the first write."""

    def __init__(self, path: Path, embedder_name: str, dimension: int, prefix: str | None = None,
                 read_only: bool = False, folder: str | None = None):
        self.path = Path(path)
        check_path(self.path, read_only)
        self.embedder_name, self.dimension, self.read_only = embedder_name, dimension, read_only
        if not read_only:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise AssistantError(f"cannot open store {self.path}: {error.strerror}") from None
        self.ledger = Ledger(self.path, read_only) if not read_only or Ledger.exists(self.path) \
            else None
        live = (self.ledger.meta("collections") if self.ledger else None) or ""
        self.prefix = live if prefix is None else prefix
        self.live = self.prefix == live  # a rebuild's new pair is not live until it switches
        self.folder = folder or (self.ledger.meta("folder") if self.ledger else None) \
            or chroma.CHROMA_FOLDER
        self._check_index_folder()
        self._client = chroma.open_client(self.path, not read_only, self.folder)
        self.sentences = SentenceTable(self.path, dimension, read_only)
        self._unembedded_logged = False
        self.namespace = self._namespace()
        self._papers = self._collection(PAPERS)
        self._chunks = self._collection(CHUNKS)
        if self._papers is None and self.live and self.ledger is not None and self.ledger.count()[0]:
            raise self._lost()
        if not read_only and self.live and self.ledger.meta("collections") is None:
            self._adopt()

    def _check_index_folder(self) -> None:
        if (self.live and self.ledger is not None and not chroma.server_url()
                and not (self.path / self.folder).is_dir() and self.ledger.count()[0]):
            raise self._lost()

    def _lost(self) -> chroma.BrokenIndex:
        where = chroma.server_url() or self.path / self.folder
        return chroma.BrokenIndex(f"store {self.path} has lost its Chroma index ({where}): "
                                  "`assistant repair` rebuilds it from the store's ledger")

    def _namespace(self) -> str:
        """On a Chroma server, which several stores may share, collection names start with the
        store's own id (kept in its ledger)."""
        if not chroma.server_url() or self.ledger is None:
            return ""
        if self.ledger.meta("store_id") is None and not self.read_only:
            import uuid

            self.ledger.set_meta(store_id=uuid.uuid4().hex[:12])
        return f"{self.ledger.meta('store_id') or 'none'}-"

    def _signature(self) -> dict:
        return {"embedder": self.embedder_name, "dimension": self.dimension,
                "schema": SCHEMA_VERSION}

    def _collection(self, name: str, create: bool = False):
        if self._client is None:
            return None
        name = self.namespace + self.prefix + name
        if name not in {c.name for c in self._client.list_collections()}:
            if not create:
                return None
            return self._client.create_collection(
                name, embedding_function=None, metadata=self._signature(),
                configuration={"hnsw": {"space": "cosine"}})
        collection = self._client.get_collection(name, embedding_function=None)
        check_signature(self.path, collection.metadata or {}, self._signature())
        return collection

    def _adopt(self) -> None:
        """A store made before ledgers existed: copy its papers from Chroma into a new ledger."""
        records = self._chroma_records() if self._papers is not None else []
        if records:
            log.info("store %s: writing a ledger of its %d papers", self.path, len(records))
            self.ledger.write(records)
        self.ledger.mark_indexed(None, collections=self.prefix, embedder=self.embedder_name,
                                 dimension=str(self.dimension))

    def _chroma_records(self) -> list[tuple[Paper, str, int]]:
        got = get_all(self._papers, ["documents", "metadatas"])
        return [(paper_from_metadata(pid, doc, meta), meta.get("added", ""), int(meta["chunks"]))
                for pid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])]

    @property
    def version(self) -> str | None:
        """Names the store's current contents (index pair and ledger generation), for caches
        built from it; None when it has no ledger to count its changes."""
        if self.ledger is None or not self.live:
            return None
        return f"{self.prefix}{self.ledger.generation}"

    # --- reading -------------------------------------------------------------------------
    def paper_hashes(self) -> dict[str, str]:
        """The content hash of every paper the index holds."""
        if self.ledger is not None and self.live:
            return {pid: h for pid, h in self.ledger.hashes(indexed=True).items() if h}
        if self._papers is None:
            return {}
        got = get_all(self._papers, ["metadatas"])
        return {pid: meta["hash"] for pid, meta in zip(got["ids"], got["metadatas"])}

    def count(self) -> tuple[int, int]:
        if self.ledger is not None and self.live:
            return self.ledger.count()
        return tuple(c.count() if c is not None else 0 for c in (self._papers, self._chunks))

    def papers(self, paper_ids: Sequence[str] | None = None) -> list[Paper]:
        if paper_ids is not None and not paper_ids:
            return []
        return [paper for paper, _ in self.paper_records(paper_ids)]

    def paper_records(self, paper_ids: Sequence[str] | None = None) -> list[tuple[Paper, str]]:
        """Papers (all, or those asked for, in that order) with the date each was first added."""
        if self.ledger is None:
            wanted = None if paper_ids is None else set(paper_ids)
            rows = [(p, a) for p, a, _ in (self._chroma_records() if self._papers else [])
                    if wanted is None or p.paper_id in wanted]
            order = {pid: i for i, pid in enumerate(paper_ids or sorted(p.paper_id for p, _ in rows))}
            return sorted(rows, key=lambda r: order[r[0].paper_id])
        indexed = self.paper_hashes()
        return [(p, a) for p, a in self.ledger.records(paper_ids) if p.paper_id in indexed]

    def chunks(self) -> list[Chunk]:
        """Every committed chunk (leftovers of an interrupted write are skipped)."""
        if self._chunks is None:
            return []
        hashes = self.paper_hashes()
        got = get_all(self._chunks, ["documents", "metadatas"])
        return [_chunk(cid, doc, meta) for cid, doc, meta
                in zip(got["ids"], got["documents"], got["metadatas"])
                if hashes.get(meta["paper_id"]) == meta["hash"]]

    def nearest_chunks(self, query: np.ndarray, limit: int) -> list[tuple[Chunk, float]]:
        """Chunks closest to a query embedding, with their cosine similarity."""
        total = self._chunks.count() if self._chunks is not None else 0
        if total == 0:
            return []
        got = self._chunks.query(query_embeddings=[query.tolist()], n_results=min(limit, total),
                                 include=["documents", "metadatas", "distances"])
        return [(_chunk(cid, doc, meta), 1.0 - float(distance)) for cid, doc, meta, distance
                in zip(got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0])]

    def sentence_vectors(self, papers: Sequence[Paper]) -> dict[str, SentenceVectors]:
        """The stored sentence vectors of these papers, by paper id (a store made before they were
        stored lacks them: `assistant reindex` adds them)."""
        found = self.sentences.read(self.prefix, papers)
        if len(found) < len({p.paper_id for p in papers}) and not self._unembedded_logged:
            self._unembedded_logged = True
            log.warning("store %s has papers without stored sentence vectors: their sentences are "
                        "embedded at question time; `assistant reindex` stores them", self.path)
        return found

    def chunk_embeddings(self, chunk_ids: Sequence[str]) -> np.ndarray:
        return self._embeddings(self._chunks, chunk_ids)

    def paper_embeddings(self, paper_ids: Sequence[str]) -> np.ndarray:
        """Each paper's embedding (the mean of its chunks'), row for row."""
        return self._embeddings(self._papers, paper_ids)

    def _embeddings(self, collection, ids: Sequence[str]) -> np.ndarray:
        if not ids or collection is None:  # Chroma's get(ids=[]) would return every record
            return np.zeros((0, self.dimension), dtype=np.float32)
        got = get_all(collection, ["embeddings"], list(ids))
        by_id = dict(zip(got["ids"], got["embeddings"]))
        return np.asarray([by_id[i] for i in ids], dtype=np.float32)

    # --- writing -------------------------------------------------------------------------
    def write(self, items: Iterable[StoredPaper]) -> None:
        """Add or replace papers: ledger (which keeps the previous version of a replaced paper),
        then Chroma, then the ledger's indexed mark."""
        items = list(items)
        if not items:
            return
        self._writable()
        added, _ = self.ledger.write([(i.paper, i.added, len(i.chunks)) for i in items])
        self.write_index(items, added)
        self.ledger.mark_indexed({i.paper.paper_id: i.paper.content_hash for i in items},
                                 collections=self.prefix, embedder=self.embedder_name,
                                 dimension=str(self.dimension))

    def write_index(self, items: list[StoredPaper], added: dict[str, str] | None = None) -> None:
        """Write papers to Chroma only (a rebuild: the ledger has them already)."""
        self._writable()
        if self._papers is None:
            self._papers, self._chunks = self._collection(PAPERS, True), self._collection(CHUNKS, True)
        batch = self._client.get_max_batch_size()
        chunks = [(c, e, item.paper.content_hash) for item in items
                  for c, e in zip(item.chunks, item.embeddings)]
        for start in range(0, len(chunks), batch):
            part = chunks[start:start + batch]
            self._chunks.upsert(
                ids=[c.chunk_id for c, _, _ in part], documents=[c.text for c, _, _ in part],
                embeddings=np.asarray([e for _, e, _ in part], dtype=np.float32),
                metadatas=[{"paper_id": c.paper_id, "title": c.title, "start": c.start,
                            "end": c.end, "hash": h} for c, _, h in part])
        # before the paper records, which (with the ledger's mark) say the paper is indexed
        self.sentences.write(self.prefix, [(i.paper, i.sentences) for i in items if i.sentences])
        for start in range(0, len(items), batch):
            part = items[start:start + batch]
            self._papers.upsert(
                ids=[i.paper.paper_id for i in part], documents=[i.paper.abstract for i in part],
                embeddings=np.asarray([unit_mean(i.embeddings) for i in part], dtype=np.float32),
                metadatas=[paper_metadata(i.paper, len(i.chunks),
                                          (added or {}).get(i.paper.paper_id, i.added))
                           for i in part])
        self._sweep({i.paper.paper_id: i.paper.content_hash for i in items})

    def _writable(self) -> None:
        if self.read_only:
            raise AssistantError(f"store {self.path} is open read-only")

    def delete(self, paper_ids: Sequence[str]) -> int:
        """Remove papers and their chunks; returns how many papers were there."""
        self._writable()
        present = [pid for pid in dict.fromkeys(paper_ids) if pid in self.ledger.hashes()]
        if present:
            self.ledger.delete(present)  # first: a crash after it leaves only unseen leftovers
            if self._papers is not None:
                self._papers.delete(ids=present)
                self._chunks.delete(where={"paper_id": {"$in": present}})
            self.sentences.delete(present)
        return len(present)

    def _sweep(self, current: dict[str, str]) -> None:
        """Drop chunks of the given papers that belong to an older version of them."""
        got = self._chunks.get(where={"paper_id": {"$in": list(current)}}, include=["metadatas"])
        stale = [cid for cid, meta in zip(got["ids"], got["metadatas"])
                 if meta["hash"] != current[meta["paper_id"]]]
        if stale:
            self._chunks.delete(ids=stale)


def _chunk(chunk_id: str, text: str, meta: dict) -> Chunk:
    return Chunk(chunk_id=chunk_id, paper_id=meta["paper_id"], title=meta["title"], text=text,
                 start=int(meta["start"]), end=int(meta["end"]))
