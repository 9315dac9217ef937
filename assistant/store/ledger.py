"""The source ledger: every stored paper as parsed, with the date it was added, in SQLite.

The ledger is the store's record of truth; the Chroma index is derived from it and can always be
rebuilt from it (`assistant repair`). Each ingest batch is committed here before it is written to
Chroma, and marked indexed after Chroma took it, so a crash between the two loses nothing.
A paper whose abstract changes keeps its previous version in `versions`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from assistant.schema import AssistantError, Paper

LEDGER_FILE = "ledger.sqlite3"
LEDGER_SCHEMA = 1
_TABLES = """
CREATE TABLE IF NOT EXISTS papers (paper_id TEXT PRIMARY KEY, hash TEXT NOT NULL,
    record TEXT NOT NULL, added TEXT NOT NULL, chunks INTEGER NOT NULL DEFAULT 0,
    indexed TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS versions (paper_id TEXT NOT NULL, hash TEXT NOT NULL,
    record TEXT NOT NULL, added TEXT NOT NULL, replaced TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def paper_record(paper: Paper) -> str:
    return json.dumps(dataclasses.asdict(paper), ensure_ascii=False, sort_keys=True)


def paper_from_record(record: str) -> Paper:
    fields = json.loads(record)
    fields["authors"] = tuple(fields.get("authors") or ())
    known = {f.name for f in dataclasses.fields(Paper)}
    return Paper(**{k: v for k, v in fields.items() if k in known})


@dataclasses.dataclass(frozen=True)
class Replaced:
    """A stored paper whose abstract an ingest changed: both versions (the old one is kept)."""

    previous: Paper
    current: Paper


class Ledger:
    """The papers of one store folder, in `<store>/ledger.sqlite3`."""

    def __init__(self, folder: Path, read_only: bool = False):
        self.path = Path(folder) / LEDGER_FILE
        # The UI answers from a pool of threads: one connection serves them all, and a transaction
        # (`with self._lock, self._db`) runs alone.
        self._lock = threading.RLock()
        try:
            if read_only:
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True,
                                           check_same_thread=False)
            else:
                self._db = sqlite3.connect(self.path, check_same_thread=False)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript(_TABLES)
            found = self.meta("ledger_schema")
        except sqlite3.Error as error:
            raise AssistantError(f"cannot read the ledger {self.path}: {error}") from None
        if found is None and not read_only:
            self.set_meta(ledger_schema=str(LEDGER_SCHEMA))
        elif found is not None and int(found) > LEDGER_SCHEMA:
            raise AssistantError(f"ledger {self.path} has schema {found}, newer than this version "
                                 f"of assistant knows ({LEDGER_SCHEMA}): upgrade assistant")

    @staticmethod
    def exists(folder: Path) -> bool:
        return (Path(folder) / LEDGER_FILE).is_file()

    def close(self) -> None:
        self._db.close()

    # --- meta ----------------------------------------------------------------------------
    def meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, **values: str | None) -> None:
        with self._lock, self._db:
            self._set(values)

    def _set(self, values: dict) -> None:
        for key, value in values.items():
            if value is None:
                self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def generation(self) -> int:
        """Counts the changes of the paper set: caches built from the store compare it."""
        return int(self.meta("generation") or 0)

    def _bump(self) -> None:
        self._set({"generation": str(self.generation + 1)})

    # --- reading -------------------------------------------------------------------------
    def count(self) -> tuple[int, int]:
        """Papers, and chunks of the papers the index holds."""
        papers, chunks = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN indexed = hash THEN chunks END), 0) FROM papers"
        ).fetchone()
        return int(papers), int(chunks)

    def hashes(self, indexed: bool = False) -> dict[str, str]:
        """Each paper's content hash; with `indexed`, the hash its index entry has ('' if none)."""
        column = "indexed" if indexed else "hash"
        return dict(self._db.execute(f"SELECT paper_id, {column} FROM papers"))

    def records(self, paper_ids: Sequence[str] | None = None) -> list[tuple[Paper, str]]:
        """Papers with the date they were first added, in paper id order."""
        if paper_ids is None:
            rows = self._db.execute("SELECT record, added FROM papers ORDER BY paper_id")
            return [(paper_from_record(r), added) for r, added in rows]
        found = {}
        for start in range(0, len(paper_ids), 500):
            part = list(paper_ids[start:start + 500])
            marks = ",".join("?" * len(part))
            for pid, record, added in self._db.execute(
                    f"SELECT paper_id, record, added FROM papers WHERE paper_id IN ({marks})", part):
                found[pid] = (paper_from_record(record), added)
        return [found[pid] for pid in dict.fromkeys(paper_ids) if pid in found]

    def versions(self, paper_id: str) -> list[tuple[Paper, str]]:
        """Earlier versions of a paper, oldest first, each with the time it was replaced."""
        rows = self._db.execute("SELECT record, replaced FROM versions WHERE paper_id = ? "
                                "ORDER BY rowid", (paper_id,))
        return [(paper_from_record(record), replaced) for record, replaced in rows]

    # --- writing -------------------------------------------------------------------------
    def write(self, papers: Iterable[tuple[Paper, str, int]]) -> tuple[dict[str, str], list[Replaced]]:
        """Add or replace (paper, added date, chunk count) rows in one transaction.

        Returns each paper's first-added date and the papers whose abstract changed (their
        previous version is kept in `versions`)."""
        added: dict[str, str] = {}
        replaced: list[Replaced] = []
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self._lock, self._db:
            for paper, day, chunks in papers:
                old = self._db.execute("SELECT hash, record, added FROM papers WHERE paper_id = ?",
                                       (paper.paper_id,)).fetchone()
                if old is not None and old[0] != paper.content_hash:
                    self._db.execute("INSERT INTO versions VALUES (?, ?, ?, ?, ?)",
                                     (paper.paper_id, old[0], old[1], old[2], now))
                    previous = paper_from_record(old[1])
                    if previous.abstract != paper.abstract:
                        replaced.append(Replaced(previous, paper))
                added[paper.paper_id] = old[2] if old is not None else day
                self._db.execute(
                    "INSERT OR REPLACE INTO papers VALUES (?, ?, ?, ?, ?, COALESCE("
                    "(SELECT indexed FROM papers WHERE paper_id = ?), ''))",
                    (paper.paper_id, paper.content_hash, paper_record(paper),
                     added[paper.paper_id], chunks, paper.paper_id))
            self._bump()
        return added, replaced

    def mark_indexed(self, hashes: dict[str, str] | None = None, **meta: str | None) -> None:
        """Record that the index holds these papers at these hashes (None: every paper as it is
        now), together with any meta values, in one transaction."""
        with self._lock, self._db:
            if hashes is None:
                self._db.execute("UPDATE papers SET indexed = hash")
            else:
                self._db.executemany("UPDATE papers SET indexed = ? WHERE paper_id = ?",
                                     [(h, pid) for pid, h in hashes.items()])
            self._set(meta)
            self._bump()

    def delete(self, paper_ids: Sequence[str]) -> None:
        with self._lock, self._db:
            self._db.executemany("DELETE FROM papers WHERE paper_id = ?", [(p,) for p in paper_ids])
            self._bump()
