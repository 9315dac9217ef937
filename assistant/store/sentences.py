"""Sentence vectors: the embedding of every abstract sentence, written at ingest beside the chunks.

Answering a question then embeds only the question: evidence selection and the support judge read
these rows instead of embedding the retrieved abstracts again. They live in SQLite in the store
folder (`sentences.sqlite3`), one row a paper (its sentence offsets and a float32 matrix), keyed
by the index prefix so that a rebuild writes its own rows beside the live ones. Chroma would also
build an HNSW graph nobody searches: on this machine it wrote 40k sentence rows 113x slower and
read five papers' rows 30-130x slower (eval/sentence_storage.py).

A batch's rows are committed before the batch's paper records reach Chroma and before the ledger
marks them indexed, so every paper the store counts as indexed has its rows; a row whose hash is
not the paper's current one is a leftover and is never read.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from assistant.schema import AssistantError, Paper, SentenceVectors

SENTENCES_FILE = "sentences.sqlite3"
_TABLE = """CREATE TABLE IF NOT EXISTS sentences (prefix TEXT NOT NULL, paper_id TEXT NOT NULL,
    hash TEXT NOT NULL, spans TEXT NOT NULL, vectors BLOB NOT NULL, PRIMARY KEY (prefix, paper_id))"""
_PART = 500  # ids per statement: SQLite caps the variables of one statement


class SentenceTable:
    """The sentence vectors of one store folder. A read-only table of a store made before sentence
    vectors existed has no file: it reads as empty (callers embed on the fly)."""

    def __init__(self, folder: Path, dimension: int, read_only: bool = False):
        self.path = Path(folder) / SENTENCES_FILE
        self.dimension = dimension
        self._lock = threading.RLock()  # one connection serves the UI's threads
        self._db: sqlite3.Connection | None = None
        try:
            if not read_only:
                self._db = sqlite3.connect(self.path, check_same_thread=False)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.execute(_TABLE)
            elif self.path.is_file():
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                           check_same_thread=False)
        except sqlite3.Error as error:
            raise AssistantError(f"cannot open the sentence vectors {self.path}: {error}") from None

    def write(self, prefix: str, rows: Iterable[tuple[Paper, SentenceVectors]]) -> None:
        """Add or replace the rows of these papers under `prefix`, in one transaction."""
        values = [(prefix, paper.paper_id, paper.content_hash, json.dumps(sentences.spans),
                   np.ascontiguousarray(sentences.vectors, dtype=np.float32).tobytes())
                  for paper, sentences in rows]
        if values:
            with self._lock, self._writable():
                self._db.executemany("INSERT OR REPLACE INTO sentences VALUES (?, ?, ?, ?, ?)",
                                     values)

    def read(self, prefix: str, papers: Sequence[Paper]) -> dict[str, SentenceVectors]:
        """The rows of these papers at their current hash; papers without one are left out."""
        if self._db is None or not papers:
            return {}
        hashes = {paper.paper_id: paper.content_hash for paper in papers}
        ids = list(hashes)
        found = {}
        with self._lock:
            for start in range(0, len(ids), _PART):
                part = ids[start:start + _PART]
                found.update((row[0], row) for row in self._db.execute(
                    f"SELECT paper_id, hash, spans, vectors FROM sentences WHERE prefix = ? "
                    f"AND paper_id IN ({','.join('?' * len(part))})", [prefix, *part]))
        return {pid: _vectors(pid, spans, blob, self.dimension)
                for pid, (_, stored_hash, spans, blob) in found.items() if stored_hash == hashes[pid]}

    def delete(self, paper_ids: Sequence[str]) -> None:
        """Remove these papers' rows under every prefix (a rebuild's included)."""
        with self._lock, self._writable():
            for start in range(0, len(paper_ids), _PART):
                part = list(paper_ids[start:start + _PART])
                self._db.execute(f"DELETE FROM sentences WHERE paper_id IN "
                                 f"({','.join('?' * len(part))})", part)

    def keep_only(self, prefixes: set[str]) -> None:
        """Delete the rows of every other prefix (builds abandoned or replaced)."""
        kept = sorted(prefixes)
        with self._lock, self._writable():
            self._db.execute(f"DELETE FROM sentences WHERE prefix NOT IN "
                             f"({','.join('?' * len(kept))})", kept)

    def count(self, prefix: str) -> int:
        if self._db is None:
            return 0
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM sentences WHERE prefix = ?",
                                        (prefix,)).fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    def _writable(self) -> sqlite3.Connection:
        if self._db is None:
            raise AssistantError(f"the sentence vectors {self.path} are open read-only")
        return self._db


def _vectors(paper_id: str, spans: str, blob: bytes, dimension: int) -> SentenceVectors:
    matrix = np.frombuffer(blob, dtype=np.float32).reshape(-1, dimension)
    return SentenceVectors(paper_id, tuple((int(s), int(e)) for s, e in json.loads(spans)), matrix)
