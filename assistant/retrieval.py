"""Hybrid retrieval: dense (Chroma) + BM25 (bm25s), fused by reciprocal rank, one result per paper.

A question that names a paper by its title or acronym ("What does TinyCLIP distil?") lifts that
paper: users name what they mean, and neither side of the search knows that a made-up word is a name.

The lexical side is bm25s itself rather than llama-index's BM25Retriever, which wraps the same
bm25s: ours tokenises with our stemmer and stopwords (the judge's and evidence's words), saves
and memory-maps the index with the store, and needs no extra package. The fusion is ours rather
than QueryFusionRetriever's for the reasons in assistant/llamaindex.py (one result a paper, named
papers lifted, the dense cosine kept for abstention).
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING


from assistant.models.embedders import Embedder
from assistant.schema import Chunk, Passage, normalise_title
from assistant.text import coined_names, stems, words

if TYPE_CHECKING:  # the store is passed in; retrieval only reads it
    from assistant.store import Store

RRF_K = 60  # the constant of Cormack et al. (2009); ranks past ~60 barely count
CANDIDATES = 50  # chunks taken from each side before fusion
MAX_PAPERS_PER_NAME = 3  # a "name" shared by more titles than this is a common word, not a name
SHORT_NAME = 4  # names this short must be written as in the title

_POSSESSIVE = re.compile(r"'s\b")
CACHE = "cache"  # in the store folder: the lexical index, saved by processes that may write
log = logging.getLogger(__name__)


class _Lexical:
    """BM25 over chunk texts (title included) with stemmed, stopword-free tokens."""

    def __init__(self, texts: Sequence[str], bm25=None):
        import bm25s

        self._size = len(texts)
        self._bm25 = bm25 or bm25s.BM25()
        if texts and bm25 is None:
            self._bm25.index([stems(t) or ["<empty>"] for t in texts], show_progress=False)

    def save(self, folder: Path) -> None:
        if self._size:
            self._bm25.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path, size: int) -> _Lexical:
        """The index `save` wrote, memory-mapped: loading costs little whatever its size."""
        import bm25s

        lexical = cls([])
        if size:
            lexical._bm25 = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
            lexical._size = size
        return lexical

    def search(self, query: str, limit: int) -> list[int]:
        tokens = stems(query)
        if not tokens or not self._size:
            return []
        found = self._bm25.retrieve([tokens], k=min(limit, self._size), show_progress=False)
        return [int(d) for d, s in zip(found.documents[0], found.scores[0]) if s > 0]


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


class NameIndex:
    """Maps paper names (titles, acronyms) to paper ids, for questions that name a paper.

    Short names (BiT, PEFT) must appear in the question as written, since in lower case they are
    often ordinary words ("4-bit"); longer ones match in any case ("tinyclip").
    """

    def __init__(self, titles: dict[str, str]):
        by_name: dict[str, set[str]] = defaultdict(set)
        self._written: dict[str, str] = {}
        for paper_id, title in titles.items():
            by_name[normalise_title(title)].add(paper_id)
            for name, written in _candidate_names(title).items():
                by_name[name].add(paper_id)
                self._written[name] = written
        self._by_name = {n: ids for n, ids in by_name.items() if len(ids) <= MAX_PAPERS_PER_NAME}
        self._longest = max((len(n.split()) for n in self._by_name), default=0)

    def named_in(self, question: str) -> set[str]:
        """Paper ids whose name or full title appears in the question as whole words."""
        tokens = normalise_title(_POSSESSIVE.sub("", question)).split()
        spans: list[tuple[int, int, set[str]]] = []
        for size in range(min(self._longest, len(tokens)), 0, -1):  # longest names first
            for start in range(len(tokens) - size + 1):
                name = " ".join(tokens[start:start + size])
                inside = any(s <= start and start + size <= e for s, e, _ in spans)
                # "VideoMAE V2" names that paper, not also "VideoMAE" (a name inside a longer one)
                if name in self._by_name and not inside and self._written_as_named(name, question):
                    spans.append((start, start + size, self._by_name[name]))
        return set().union(*(ids for _, _, ids in spans))

    def _written_as_named(self, name: str, question: str) -> bool:
        if len(name) > SHORT_NAME or name not in self._written:
            return True
        return re.search(rf"(?<!\w){re.escape(self._written[name])}(?!\w)", question) is not None


class Retriever:
    """Search over one store; rebuild (`refresh`) after the store changes."""

    def __init__(self, store: "Store", embedder: Embedder, title_boost: float = 0.01,
                 dense: bool = True, lexical: bool = True):
        self.store = store
        self.embedder = embedder
        self.title_boost = title_boost
        # either side can be switched off, for the eval's ablations (dense only, BM25 only)
        self.use_dense, self.use_lexical = dense, lexical
        self.refresh()

    def refresh(self) -> None:
        """Read the store's chunks and lexical index: from the cache saved with the store when
        it is current, else built (and saved, unless the store is open read-only)."""
        folder = _cache_folder(self.store)
        if folder is not None and (folder / "chunks.json").is_file():
            self._load(folder)
        else:
            self._build(folder)
        self._row = {c.chunk_id: i for i, c in enumerate(self._chunks)}
        self.names = NameIndex({c.paper_id: c.title for c in self._chunks})
        self.titles = {c.paper_id: c.title for c in self._chunks}

    def _build(self, folder: Path | None) -> None:
        self._chunks: list[Chunk] = self.store.chunks()
        self._lexical = _Lexical([f"{c.title}\n{c.text}" for c in self._chunks])
        # every word of the corpus: a name found nowhere in it is not in the corpus
        self.vocabulary = frozenset(w for c in self._chunks for w in words(f"{c.title} {c.text}"))
        if folder is not None and not self.store.read_only:
            _save_cache(folder, self._chunks, self._lexical, self.vocabulary)

    def _load(self, folder: Path) -> None:
        saved = json.loads((folder / "chunks.json").read_text(encoding="utf-8"))
        self._chunks = [Chunk(*row) for row in saved["chunks"]]
        self._lexical = _Lexical.load(folder, len(self._chunks))
        self.vocabulary = frozenset(saved["vocabulary"])

    @property
    def size(self) -> int:
        return len(self._chunks)

    def search(self, query: str, k: int = 10) -> list[Passage]:
        """The k best papers for a query, each as its best-scoring chunk."""
        if not self._chunks:
            return []
        query_vector = self.embedder.embed_query(query)
        dense = [(c, sim) for c, sim in self.store.nearest_chunks(query_vector, CANDIDATES)
                 if c.chunk_id in self._row] if self.use_dense else []
        lexical = [self._chunks[i] for i in self._lexical.search(query, CANDIDATES)] \
            if self.use_lexical else []
        fused: dict[str, float] = defaultdict(float)
        for rank, (chunk, _) in enumerate(dense):
            fused[chunk.chunk_id] += 1.0 / (RRF_K + rank + 1)
        for rank, chunk in enumerate(lexical):
            fused[chunk.chunk_id] += 1.0 / (RRF_K + rank + 1)
        similarity = {c.chunk_id: s for c, s in dense}
        best = self._best_per_paper(fused)
        for paper_id in self.names.named_in(query):
            chunk_id = best.get(paper_id, (None, 0.0))[0] or self._first_chunk(paper_id)
            best[paper_id] = (chunk_id, best.get(paper_id, (None, 0.0))[1] + self.title_boost)
        ranked = sorted(best.values(), key=lambda item: -item[1])[:k]
        unseen = [chunk_id for chunk_id, _ in ranked if chunk_id not in similarity]
        if unseen:  # found by BM25 or by name only: measure them densely too, from stored vectors
            vectors = self.store.chunk_embeddings(unseen)
            similarity.update(zip(unseen, (float(v) for v in vectors @ query_vector)))
        return [Passage(chunk=self._chunks[self._row[chunk_id]], score=score,
                        dense_similarity=similarity[chunk_id]) for chunk_id, score in ranked]

    def _best_per_paper(self, fused: dict[str, float]) -> dict[str, tuple[str, float]]:
        best: dict[str, tuple[str, float]] = {}
        for chunk_id, score in fused.items():
            paper_id = self._chunks[self._row[chunk_id]].paper_id
            if paper_id not in best or score > best[paper_id][1]:
                best[paper_id] = (chunk_id, score)
        return best

    def _first_chunk(self, paper_id: str) -> str:
        return next(c.chunk_id for c in self._chunks if c.paper_id == paper_id)


def _cache_folder(store: "Store") -> Path | None:
    version = getattr(store, "version", None)
    return None if version is None else Path(store.path) / CACHE / f"lexical-{version}"


def _save_cache(folder: Path, chunks: list[Chunk], lexical: _Lexical, vocabulary) -> None:
    """Written whole beside its final name, then renamed: a reader never sees half of it."""
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    lexical.save(partial)
    rows = [[c.chunk_id, c.paper_id, c.title, c.text, c.start, c.end] for c in chunks]
    (partial / "chunks.json").write_text(
        json.dumps({"chunks": rows, "vocabulary": sorted(vocabulary)}, ensure_ascii=False),
        encoding="utf-8")
    for old in folder.parent.glob("lexical-*"):
        if old != partial:
            shutil.rmtree(old, ignore_errors=True)
    partial.rename(folder)
    log.info("saved the lexical index of %d chunks in %s", len(chunks), folder)
