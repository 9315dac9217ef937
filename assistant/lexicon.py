"""The retriever's saved view of the corpus: chunks by BM25 row, paper names and the vocabulary, in
one SQLite file beside the BM25 index. A search reads only the rows it ranks, so opening a store
costs the same at 500 papers as at 100,000 (reading them all into memory grew with the corpus).

The file is written once into the lexical cache folder before that folder gets its final name,
and never changed after, so readers open it immutable (no locks, no journal)."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant.schema import Chunk, normalise_title
from assistant.text import coined_names

FILE = "lexicon.sqlite3"
_CHUNK_COLUMNS = "chunk_id, paper_id, title, text, start, finish"
_SCHEMA = f"""
CREATE TABLE chunks (row INTEGER PRIMARY KEY, {_CHUNK_COLUMNS});
CREATE INDEX chunks_by_id ON chunks (chunk_id);
CREATE INDEX chunks_by_paper ON chunks (paper_id, row);
CREATE TABLE names (name TEXT PRIMARY KEY, paper_ids TEXT, written TEXT) WITHOUT ROWID;
CREATE TABLE words (word TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
"""
_BATCH = 900  # variables per statement, well under SQLite's limit
MAX_PAPERS_PER_NAME = 3  # a "name" shared by more titles than this is a common word, not a name


def _candidate_names(title: str) -> dict[str, str]:
    """Names a title gives its method, normalised -> as written: the part before a colon, and
    coined words like FerKD."""
    names = {}
    head, colon, _ = title.partition(":")
    if colon and len(head.split()) <= 4:
        names[normalise_title(head)] = head.strip()
    for token in coined_names(title):
        names[normalise_title(token)] = token
    return {n: written for n, written in names.items() if len(n) >= 3}


def paper_names(titles: dict[str, str]) -> dict[str, tuple[set[str], str | None]]:
    """Every name a paper goes by (its normalised title, its acronyms) -> (the papers it names,
    the name as written in a title, if it was taken from one)."""
    by_name: dict[str, set[str]] = defaultdict(set)
    written: dict[str, str] = {}
    for paper_id, title in titles.items():
        by_name[normalise_title(title)].add(paper_id)
        for name, as_written in _candidate_names(title).items():
            by_name[name].add(paper_id)
            written[name] = as_written
    return {n: (ids, written.get(n)) for n, ids in by_name.items() if len(ids) <= MAX_PAPERS_PER_NAME}


def write(folder: Path, chunks: Sequence[Chunk], names: dict[str, tuple[set[str], str | None]],
          vocabulary: Iterable[str]) -> None:
    """Write the lexicon of `chunks` (row i is BM25 document i) into `folder`."""
    connection = sqlite3.connect(Path(folder) / FILE)
    try:
        with connection:
            connection.executescript(_SCHEMA)
            connection.executemany(
                f"INSERT INTO chunks (row, {_CHUNK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((row, c.chunk_id, c.paper_id, c.title, c.text, c.start, c.end)
                 for row, c in enumerate(chunks)))
            connection.executemany("INSERT INTO names VALUES (?, ?, ?)",
                                   ((name, json.dumps(sorted(ids)), written)
                                    for name, (ids, written) in names.items()))
            connection.executemany("INSERT INTO words VALUES (?)", ((w,) for w in vocabulary))
            longest = max((len(n.split()) for n in names), default=0)
            connection.executemany("INSERT INTO meta VALUES (?, ?)",
                                   [("size", str(len(chunks))), ("longest_name", str(longest))])
    finally:
        connection.close()


class Lexicon:
    """A saved lexicon, read on demand (the Retriever's corpus when the store has a cache)."""

    def __init__(self, folder: Path):
        uri = (Path(folder) / FILE).resolve().as_uri() + "?mode=ro&immutable=1"
        # the UI's request threads search through one Retriever (under the Assistant's lock)
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        meta = dict(self._db.execute("SELECT key, value FROM meta"))
        self.size, self.longest_name = int(meta["size"]), int(meta["longest_name"])

    @staticmethod
    def exists(folder: Path) -> bool:
        return (Path(folder) / FILE).is_file()

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        """The chunks of these BM25 rows, in that order."""
        found = {}
        for part in _parts(list(rows)):
            found.update((row, _chunk(values)) for row, *values in self._db.execute(
                f"SELECT row, {_CHUNK_COLUMNS} FROM chunks WHERE row IN ({_marks(part)})", part))
        return [found[row] for row in rows if row in found]

    def known(self, chunk_ids: Sequence[str]) -> set[str]:
        """Which of these chunk ids the lexicon holds (committed chunks of the indexed papers)."""
        held: set[str] = set()
        for part in _parts(list(chunk_ids)):
            held.update(i for (i,) in self._db.execute(
                f"SELECT chunk_id FROM chunks WHERE chunk_id IN ({_marks(part)})", part))
        return held

    def first_chunk(self, paper_id: str) -> Chunk | None:
        values = self._db.execute(f"SELECT {_CHUNK_COLUMNS} FROM chunks WHERE paper_id = ? "
                                  "ORDER BY row LIMIT 1", (paper_id,)).fetchone()
        return None if values is None else _chunk(values)

    def names(self, candidates: Sequence[str]) -> dict[str, tuple[set[str], str | None]]:
        """The candidates that name papers: name -> (paper ids, the name as written)."""
        found = {}
        for part in _parts(list(dict.fromkeys(candidates))):
            for name, ids, written in self._db.execute(
                    f"SELECT name, paper_ids, written FROM names WHERE name IN ({_marks(part)})", part):
                found[name] = (set(json.loads(ids)), written)
        return found

    def titles(self) -> dict[str, str]:
        """Every paper's title (for name resolution: read when a question needs it)."""
        return dict(self._db.execute("SELECT paper_id, title FROM chunks ORDER BY row"))

    def vocabulary(self) -> frozenset[str]:
        return frozenset(w for (w,) in self._db.execute("SELECT word FROM words"))


def _chunk(values) -> Chunk:
    chunk_id, paper_id, title, text, start, finish = values
    return Chunk(chunk_id=chunk_id, paper_id=paper_id, title=title, text=text, start=int(start),
                 end=int(finish))


def _parts(values: list) -> list[list]:
    return [values[i:i + _BATCH] for i in range(0, len(values), _BATCH)]


def _marks(part: list) -> str:
    return ", ".join("?" * len(part))


class InMemory:
    """The same reads over chunks held in memory: a store without a saved lexicon (read-only, or
    made before lexicons were saved)."""

    def __init__(self, chunks: Sequence[Chunk], names: dict[str, tuple[set[str], str | None]],
                 vocabulary: frozenset[str]):
        self._chunks, self._names, self._vocabulary = list(chunks), names, vocabulary
        self._ids = {c.chunk_id for c in self._chunks}
        self.size = len(self._chunks)
        self.longest_name = max((len(n.split()) for n in names), default=0)

    def chunks_at(self, rows: Sequence[int]) -> list[Chunk]:
        return [self._chunks[row] for row in rows if 0 <= row < self.size]

    def known(self, chunk_ids: Sequence[str]) -> set[str]:
        return {i for i in chunk_ids if i in self._ids}

    def first_chunk(self, paper_id: str) -> Chunk | None:
        return next((c for c in self._chunks if c.paper_id == paper_id), None)

    def names(self, candidates: Sequence[str]) -> dict[str, tuple[set[str], str | None]]:
        return {n: self._names[n] for n in candidates if n in self._names}

    def titles(self) -> dict[str, str]:
        return {c.paper_id: c.title for c in self._chunks}

    def vocabulary(self) -> frozenset[str]:
        return self._vocabulary
