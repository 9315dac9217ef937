"""Source files -> papers in the store: parse, deduplicate, diff, chunk, embed, write.

Everything is parsed and checked before anything is written; a bad record is reported and skipped,
never half-written. Papers are written in small batches, each committed to the store's ledger, so
an interrupted ingest keeps what it finished and a re-run picks up the rest. SIGINT and SIGTERM
stop an ingest after the batch it is writing.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np

from assistant.chunking import Chunker
from assistant.models.embedders import Embedder
from assistant.schema import (
    Chunk, IngestReport, ListingDates, Paper, PaperUpdate, Progress, Rejection, SentenceVectors,
)
from assistant.sources import parse_paths
from assistant.store import Store, StoredPaper, open_building, switch
from assistant.text import split_sentences

log = logging.getLogger(__name__)

WRITE_BATCH = 64  # papers per commit: small enough that an interrupt loses little
POOL_MIN_PAPERS = 1000  # below this, starting worker processes costs more than they save


def embedding_text(chunk: Chunk) -> str:
    """What the embedder sees for a chunk: its paper's title gives every piece its subject."""
    return f"{chunk.title}\n{chunk.text}"


def deduplicate(papers: Iterable[Paper]) -> tuple[list[Paper], int]:
    """First occurrence of each paper id wins; returns the papers and how many repeats were dropped."""
    unique: dict[str, Paper] = {}
    repeats = 0
    for paper in papers:
        if paper.paper_id in unique:
            repeats += 1
        else:
            unique[paper.paper_id] = paper
    return list(unique.values()), repeats


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT/SIGTERM, for a loop to stop at a safe point; a second signal
    interrupts at once. Outside the main thread (the UI's workers) signals are left alone."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def handle(number, frame):
        if stop.is_set():
            raise KeyboardInterrupt
        log.warning("signal %d: stopping after the current batch", number)
        stop.set()

    previous = {s: signal.signal(s, handle) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def pooled(embedder: Embedder, papers: int):
    """The embedder's worker processes for a big ingest (at least POOL_MIN_PAPERS papers; starting
    them loads the model once more in each), else nothing: small ingests embed in this process."""
    pool = getattr(embedder, "pool", None)
    return pool() if pool is not None and papers >= POOL_MIN_PAPERS else nullcontext()


def id_conflicts(papers: Iterable[Paper]) -> list[Rejection]:
    """A Rejection for each repeat of a paper id with another title or abstract than its first
    occurrence (which deduplicate keeps): two different papers cannot share an id without a word.
    Repeats with the same texts (a paper listed on two days) are plain duplicates."""
    first: dict[str, Paper] = {}
    conflicts = []
    for paper in papers:
        kept = first.setdefault(paper.paper_id, paper)
        changed = _changed_texts(kept, paper)
        if kept is not paper and changed:
            what = f"arXiv id {paper.arxiv_id}" if paper.arxiv_id else "title"
            conflicts.append(Rejection(paper.source, paper.line, (
                f"{what} already read from {kept.source}:{kept.line} with another "
                f"{' and '.join(changed)} ({_short(kept.title)!r}); kept that one")))
    return conflicts


def paper_updates(papers: Sequence[Paper], store: Store) -> list[PaperUpdate]:
    """How each paper replacing a stored one changes its title or abstract (other fields,
    such as a listing date, change quietly)."""
    stored = {paper.paper_id: paper for paper in store.papers([p.paper_id for p in papers])}
    updates = []
    for paper in papers:
        old = stored.get(paper.paper_id)
        changed = _changed_texts(old, paper) if old else ()
        if changed:
            updates.append(PaperUpdate(paper.paper_id, paper.title, changed, old.title,
                                       paper.source, paper.line))
    return updates


def _changed_texts(old: Paper, new: Paper) -> tuple[str, ...]:
    return tuple(name for name in ("title", "abstract")
                 if " ".join(getattr(old, name).split()) != " ".join(getattr(new, name).split()))


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[:limit - 3] + "..."


def ingest(
    paths: Sequence[Path],
    store: Store,
    embedder: Embedder,
    chunker: Callable[[], Chunker],
    progress: Progress | None = None,
    today: dt.date | None = None,
    dating: ListingDates | None = None,
) -> IngestReport:
    """Bring the store up to date with the given files and folders.

    `dating` dates the entries of listing pages, which print no year (see ListingDates).
    """
    started = time.perf_counter()
    parsed = parse_paths(paths, dating)
    papers, repeats = deduplicate(parsed.papers)
    conflicts = id_conflicts(parsed.papers)
    known = store.paper_hashes()
    fresh = [p for p in papers if p.paper_id not in known]
    changed = [p for p in papers if p.paper_id in known and known[p.paper_id] != p.content_hash]
    report = IngestReport(
        added=len(fresh), updated=len(changed), unchanged=len(papers) - len(fresh) - len(changed),
        duplicates=repeats - len(conflicts), rejected=list(parsed.rejections) + conflicts,
        changes=paper_updates(changed, store) if changed else [],
    )
    todo = fresh + changed
    if todo:
        added = (today or dt.date.today()).isoformat()
        with stop_on_signals() as stop, pooled(embedder, len(todo)):
            report.chunks_embedded = embed_and_write(
                todo, store, embedder, chunker(), added, progress, stop)
            report.interrupted = stop.is_set()
    report.seconds = time.perf_counter() - started
    log.info("ingest: %s", report)
    return report


def embed_and_write(
    papers: Sequence[Paper], store: Store, embedder: Embedder, chunker: Chunker, added: str,
    progress: Progress | None = None, stop: threading.Event | None = None,
    index_only: bool = False,
) -> int:
    """Chunk, embed and commit papers batch by batch, until done or `stop` is set; returns the
    number of chunks embedded. `index_only` writes Chroma only (a rebuild from the ledger)."""
    write = store.write_index if index_only else store.write
    embedded = 0
    if progress:
        progress(0, len(papers))  # the clock of papers/s starts here
    for start in range(0, len(papers), WRITE_BATCH):
        if stop is not None and stop.is_set():
            break
        batch = papers[start:start + WRITE_BATCH]
        chunks = chunker.chunk(batch)
        spans = [tuple(split_sentences(paper.abstract)) for paper in batch]
        # one call for chunks and sentences: the embedder batches them by length together
        vectors = embedder.embed([embedding_text(c) for c in chunks] + [
            paper.abstract[s:e] for paper, cuts in zip(batch, spans) for s, e in cuts])
        sentences = _sentences(batch, spans, vectors[len(chunks):])
        write(_group(batch, chunks, vectors[:len(chunks)], added, sentences))
        embedded += len(chunks)
        if progress:
            progress(start + len(batch), len(papers))
    return embedded


def _sentences(papers: Sequence[Paper], spans: list[tuple], vectors: np.ndarray) -> list[SentenceVectors]:
    """Each paper's sentence rows, cut from the batch's matrix in order."""
    ends = np.cumsum([len(cuts) for cuts in spans])
    return [SentenceVectors(paper.paper_id, cuts, vectors[end - len(cuts):end])
            for paper, cuts, end in zip(papers, spans, ends)]


def _group(papers: Sequence[Paper], chunks: list[Chunk], vectors: np.ndarray, added: str,
           sentences: list[SentenceVectors]):
    rows: dict[str, list[int]] = {}
    for row, chunk in enumerate(chunks):
        rows.setdefault(chunk.paper_id, []).append(row)
    return [StoredPaper(paper=p, chunks=[chunks[r] for r in rows[p.paper_id]],
                        embeddings=vectors[rows[p.paper_id]], added=added, sentences=s)
            for p, s in zip(papers, sentences) if p.paper_id in rows]


def reindex(
    path: Path, embedder: Embedder, chunker: Chunker, progress: Progress | None = None
) -> int:
    """Rebuild the store's index from its ledger with `embedder` (reindex and repair alike).

    The new index is written beside the live one, which stays whole until the switch; a killed
    rebuild resumes from the papers it finished. Returns the number of papers."""
    store = open_building(path, embedder.name, embedder.dimension)
    records = store.ledger.records()
    finished = store.paper_hashes()
    todo = [(p, a) for p, a in records if finished.get(p.paper_id) != p.content_hash]
    done = len(records) - len(todo)
    with stop_on_signals() as stop, pooled(embedder, len(todo)):
        for added in sorted({a for _, a in todo}):
            papers = [p for p, a in todo if a == added]
            embed_and_write(papers, store, embedder, chunker, added,
                            _offset(progress, done, len(records)), stop, index_only=True)
            done += len(papers)
        if stop.is_set():
            raise KeyboardInterrupt
    switch(store)
    return len(records)


def _offset(progress: Progress | None, before: int, total: int) -> Progress | None:
    if progress is None:
        return None
    return lambda done, _: progress(before + done, total)
