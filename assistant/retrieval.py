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

import logging
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING


from assistant import lexicon
from assistant.lexicon import InMemory, Lexicon, paper_names
from assistant.models.embedders import Embedder
from assistant.schema import Chunk, Passage, normalise_title
from assistant.text import stems, words

if TYPE_CHECKING:  # the store is passed in; retrieval only reads it
    from assistant.store import Store

RRF_K = 60  # the constant of Cormack et al. (2009); ranks past ~60 barely count
CANDIDATES = 50  # chunks taken from each side before fusion
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


class NameIndex:
    """Maps paper names (titles, acronyms) to paper ids, for questions that name a paper.

    Short names (BiT, PEFT) must appear in the question as written, since in lower case they are
    often ordinary words ("4-bit"); longer ones match in any case ("tinyclip"). Built from titles
    it holds the names; `looked_up` asks a saved lexicon on disk for the question's word runs.
    """

    def __init__(self, titles: dict[str, str]):
        names = paper_names(titles)
        self._lookup = lambda candidates: {n: names[n] for n in candidates if n in names}
        self._longest = max((len(n.split()) for n in names), default=0)

    @classmethod
    def looked_up(cls, lookup: Callable[[Sequence[str]], dict[str, tuple[set[str], str | None]]],
                  longest: int) -> NameIndex:
        index = cls({})
        index._lookup, index._longest = lookup, longest
        return index

    def named_in(self, question: str) -> set[str]:
        """Paper ids whose name or full title appears in the question as whole words."""
        tokens = normalise_title(_POSSESSIVE.sub("", question)).split()
        sizes = range(min(self._longest, len(tokens)), 0, -1)  # longest names first
        grams = [(start, size, " ".join(tokens[start:start + size]))
                 for size in sizes for start in range(len(tokens) - size + 1)]
        names = self._lookup([name for _, _, name in grams])
        spans: list[tuple[int, int, set[str]]] = []
        for start, size, name in grams:
            inside = any(s <= start and start + size <= e for s, e, _ in spans)
            # "VideoMAE V2" names that paper, not also "VideoMAE" (a name inside a longer one)
            if name in names and not inside and _written_as_named(names[name][1], name, question):
                spans.append((start, start + size, names[name][0]))
        return set().union(*(ids for _, _, ids in spans))


def _written_as_named(written: str | None, name: str, question: str) -> bool:
    if len(name) > SHORT_NAME or written is None:
        return True
    return re.search(rf"(?<!\w){re.escape(written)}(?!\w)", question) is not None


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
        """Open the store's lexicon and lexical index: the ones saved with the store when they
        are current, else built (and saved, unless the store is open read-only)."""
        folder = _cache_folder(self.store)
        if folder is not None and Lexicon.exists(folder):
            self._corpus = Lexicon(folder)
            self._lexical = _Lexical.load(folder, self._corpus.size)
        else:
            self._build(folder)
        self.names = NameIndex.looked_up(self._corpus.names, self._corpus.longest_name)
        self._titles: dict[str, str] | None = None
        self._vocabulary: frozenset[str] | None = None

    def _build(self, folder: Path | None) -> None:
        chunks: list[Chunk] = self.store.chunks()
        self._lexical = _Lexical([f"{c.title}\n{c.text}" for c in chunks])
        names = paper_names({c.paper_id: c.title for c in chunks})
        # every word of the corpus: a name found nowhere in it is not in the corpus
        vocabulary = frozenset(w for c in chunks for w in words(f"{c.title} {c.text}"))
        self._corpus = InMemory(chunks, names, vocabulary)
        if folder is not None and not self.store.read_only:
            _save_cache(folder, chunks, self._lexical, names, vocabulary)

    @property
    def titles(self) -> dict[str, str]:
        """Every paper's title by id (read on first use: only name resolution needs them all)."""
        if self._titles is None:
            self._titles = self._corpus.titles()
        return self._titles

    @property
    def vocabulary(self) -> frozenset[str]:
        if self._vocabulary is None:
            self._vocabulary = self._corpus.vocabulary()
        return self._vocabulary

    @property
    def size(self) -> int:
        return self._corpus.size

    def search(self, query: str, k: int = 10) -> list[Passage]:
        """The k best papers for a query, each as its best-scoring chunk."""
        if not self._corpus.size:
            return []
        query_vector = self.embedder.embed_query(query)
        nearest = self.store.nearest_chunks(query_vector, CANDIDATES) if self.use_dense else []
        known = self._corpus.known([c.chunk_id for c, _ in nearest])
        dense = [(c, sim) for c, sim in nearest if c.chunk_id in known]
        lexical = self._corpus.chunks_at(self._lexical.search(query, CANDIDATES)) \
            if self.use_lexical else []
        chunks = {c.chunk_id: c for c in lexical} | {c.chunk_id: c for c, _ in dense}
        fused: dict[str, float] = defaultdict(float)
        for rank, (chunk, _) in enumerate(dense):
            fused[chunk.chunk_id] += 1.0 / (RRF_K + rank + 1)
        for rank, chunk in enumerate(lexical):
            fused[chunk.chunk_id] += 1.0 / (RRF_K + rank + 1)
        similarity = {c.chunk_id: s for c, s in dense}
        best = _best_per_paper(fused, chunks)
        for paper_id in self.names.named_in(query):
            chunk_id = best.get(paper_id, (None, 0.0))[0] or self._first_chunk(paper_id, chunks)
            if chunk_id is not None:
                best[paper_id] = (chunk_id, best.get(paper_id, (None, 0.0))[1] + self.title_boost)
        ranked = sorted(best.values(), key=lambda item: -item[1])[:k]
        unseen = [chunk_id for chunk_id, _ in ranked if chunk_id not in similarity]
        if unseen:  # found by BM25 or by name only: measure them densely too, from stored vectors
            vectors = self.store.chunk_embeddings(unseen)
            similarity.update(zip(unseen, (float(v) for v in vectors @ query_vector)))
        return [Passage(chunk=chunks[chunk_id], score=score,
                        dense_similarity=similarity[chunk_id]) for chunk_id, score in ranked]

    def _first_chunk(self, paper_id: str, chunks: dict[str, Chunk]) -> str | None:
        chunk = self._corpus.first_chunk(paper_id)
        if chunk is None:
            return None
        chunks[chunk.chunk_id] = chunk
        return chunk.chunk_id


def _best_per_paper(fused: dict[str, float], chunks: dict[str, Chunk]) -> dict[str, tuple[str, float]]:
    best: dict[str, tuple[str, float]] = {}
    for chunk_id, score in fused.items():
        paper_id = chunks[chunk_id].paper_id
        if paper_id not in best or score > best[paper_id][1]:
            best[paper_id] = (chunk_id, score)
    return best


def _cache_folder(store: "Store") -> Path | None:
    version = getattr(store, "version", None)
    return None if version is None else Path(store.path) / CACHE / f"lexical-{version}"


def _save_cache(folder: Path, chunks: list[Chunk], lexical: _Lexical, names, vocabulary) -> None:
    """Written whole beside its final name, then renamed: a reader never sees half of it."""
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    lexical.save(partial)
    lexicon.write(partial, chunks, names, sorted(vocabulary))
    for old in folder.parent.glob("lexical-*"):
        if old != partial:
            shutil.rmtree(old, ignore_errors=True)
    partial.rename(folder)
    log.info("saved the lexical index of %d chunks in %s", len(chunks), folder)
