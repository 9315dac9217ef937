"""The composing module: an Assistant built from settings wires the stages together.

The CLI and the UI are thin adapters over this object; it returns data, never markup.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from assistant.answer import AnswerSettings, answer_stream, not_answered, too_far
from assistant.compare import (
    MAX_PAPERS, MIN_PAPERS, RETRIEVED_PAPERS, CompareSettings, compare, not_compared,
)
from assistant.chunking import Chunker
from assistant.dates import latest_week, paper_date
from assistant.digest import DigestSettings, build_digest, in_window
from assistant.topic_filter import on_topic
from assistant.evidence import SentenceMemory, select_evidence
from assistant.models.embedders import Embedder, load_embedder
from assistant import models
from assistant.models.generators import Generator
from assistant.models.judges import SupportJudge
from assistant.ingest import ingest
from assistant.prompts import load_prompt
from assistant.resolve import PaperResolver, Resolution, is_comparative
from assistant.retrieval import Retriever
from assistant.schema import (
    NO_PAPER, NO_RELEVANT_PASSAGE, NOT_IN_CORPUS, ONE_PAPER, Answer, AssistantError, IngestReport, ListingDates, Paper, Passage, Progress, Reason, SentenceCheck,
)
from assistant.reports import Comparison, Digest, Window
from assistant.settings import Settings
from assistant.store import Store, stored_counts
from assistant.store.summary import store_stats
from assistant.threads import held_stream

log = logging.getLogger(__name__)


def build_embedder(settings: Settings) -> Embedder:
    return load_embedder(settings.embedder, threads=settings.threads, cache_dir=settings.model_cache_dir,
                         processes=settings.embed_processes)


def build_judge(settings: Settings, embedder: Embedder) -> SupportJudge:
    return models.build_judge(settings, embedder)


def build_generator(settings: Settings) -> Generator:
    return models.build_generator(settings)


class Assistant:
    """Ingest, search and answer over one store. The generator loads on first use."""

    def __init__(self, settings: Settings, store: Store, embedder: Embedder,
                 generator: Generator | None = None, judge: SupportJudge | None = None):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self._generator = generator
        self.sentences = SentenceMemory(embedder, store.sentence_vectors)  # stored, not re-embedded
        self.judge = judge or build_judge(settings, self.sentences)
        self.retriever = Retriever(store, embedder, settings.title_boost)
        self._lock = threading.Lock()  # one model call at a time; the UI serves several users
        # Ingest and delete refresh the retriever's index part by part while searches read it; a
        # lock of its own, so a search does not wait behind a generation holding the model lock.
        self._index_lock = threading.RLock()
        self._resolver: PaperResolver | None = None

    @classmethod
    def from_settings(cls, settings: Settings, read_only: bool = False) -> Assistant:
        """`read_only`: the store must exist, and nothing in it is created or changed."""
        settings.apply_environment()
        if read_only:
            stored_counts(settings.store)  # a missing store fails before any model loads
        embedder = build_embedder(settings)
        store = Store(settings.store, embedder.name, embedder.dimension, read_only=read_only)
        return cls(settings, store, embedder)

    @property
    def generator(self) -> Generator:
        with self._lock:
            if self._generator is None:
                self._generator = build_generator(self.settings)
            return self._generator

    @property
    def generator_loaded(self) -> bool:
        """Whether the generator is in memory (its first load can take a minute: the UI says so)."""
        return self._generator is not None

    @cached_property
    def _chunker(self) -> Chunker:
        return Chunker(self.settings.chunk_size, self.settings.chunk_overlap)

    # --- jobs ----------------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path], progress: Progress | None = None,
               dating: ListingDates | None = None) -> IngestReport:
        report = ingest(paths, self.store, self.embedder, lambda: self._chunker, progress,
                        dating=dating)
        if report.added or report.updated:
            with self._index_lock:
                self.retriever.refresh()
        return report

    def search(self, query: str, k: int = 10) -> list[Passage]:
        query = check_question(query)
        with self._index_lock:
            return self.retriever.search(query, k)

    def ask_stream(self, question: str) -> Iterator[SentenceCheck | Answer | Comparison]:
        """Checked sentences as they are ready, then the Answer. A comparative question ("compare",
        "differ", "How do X and Y ...") gets a Comparison instead, and a question about a coined
        name the corpus never uses ("What does FooNet do?") an abstention naming it."""
        question = check_question(question)
        resolution = self.resolver().in_question(question)
        if is_comparative(question, len(resolution.paper_ids)):
            comparison = self._compare_question(question, resolution)
            if comparison is not None:
                yield comparison
                return
        models = {"embedder": self.embedder.name}
        if resolution.missing and not resolution.paper_ids:  # "What does FooNet do?"
            yield not_answered(question, Reason(NOT_IN_CORPUS, tuple(resolution.missing)), models=models)
            return
        passages = self.search(question, self.settings.top_k)
        named = frozenset(resolution.paper_ids)
        if too_far(passages, named, self.settings.min_relevance):
            yield not_answered(question, Reason(NO_RELEVANT_PASSAGE), passages, models=models)
            return
        # A question that names papers is about those papers: other abstracts only invite the model
        # to answer about a neighbour ("TinyViT" for a question on TinyCLIP).
        papers = self.store.papers([p.paper_id for p in passages])
        focus = [p for p in papers if p.paper_id in named] or papers
        self.sentences.recall(focus)
        evidence = select_evidence(question, focus, self.sentences, self.settings.evidence_sentences,
                                   named, self.settings.evidence_per_paper)
        generator = self.generator
        yield from held_stream(self._lock, lambda: answer_stream(
            question, passages, evidence, generator, self.judge, load_prompt("answer"),
            AnswerSettings(self.settings.evidence_sentences, self.settings.min_relevance,
                           self.settings.min_evidence, self.settings.max_new_tokens,
                           quotes=self.settings.quotes), models))

    def ask(self, question: str) -> Answer | Comparison:
        *_, answer = self.ask_stream(question)
        return answer

    def resolver(self) -> PaperResolver:
        """Name resolution over the retriever's current corpus (rebuilt after it refreshes)."""
        with self._index_lock:
            r = self.retriever
            if self._resolver is None or self._resolver.titles is not r.titles:
                self._resolver = PaperResolver(r.titles, r.names.named_in, r.vocabulary,
                                               self._search_index)
            return self._resolver

    def _search_index(self, query: str, k: int = 10) -> list[Passage]:
        with self._index_lock:
            return self.retriever.search(query, k)

    def compare(self, question: str | None = None, names: Sequence[str] = (),
                aspects: Sequence[str] = ()) -> Comparison:
        """Compare the papers named (two to four titles, acronyms or descriptions) or, without
        names, the papers a question names or retrieves; `aspects` ("training data") add rows."""
        names = [n for n in (n.strip() for n in names) if n]
        if not names:
            question = check_question(question or "")
            return self._compare_question(question, self.resolver().in_question(question), True,
                                          aspects)
        if not MIN_PAPERS <= len(names) <= MAX_PAPERS:
            raise AssistantError(f"compare takes {MIN_PAPERS} to {MAX_PAPERS} papers, not {len(names)}")
        resolution = self.resolver().resolve_all(names)
        papers = self.store.papers(resolution.paper_ids)
        asked = bool((question or "").strip())
        question = question.strip() if asked else "How do " + " and ".join(p.title for p in papers) \
            + " differ?"
        if len(papers) < MIN_PAPERS:
            return self._cannot_compare(question, papers, resolution.missing)
        return self._compare(question, papers, resolution.missing, asked, aspects)

    def _compare_question(self, question: str, resolution: Resolution,
                          required: bool = False, aspects: Sequence[str] = ()) -> Comparison | None:
        """None when the question names no missing paper and fewer than two papers match it
        (then `ask` answers it as a question), unless a comparison is `required`."""
        ids = list(resolution.paper_ids)
        if len(ids) < MIN_PAPERS and not resolution.missing:  # fill up from retrieval
            relevant = [p.paper_id for p in self.search(question, self.settings.top_k)
                        if (p.dense_similarity or 0.0) >= self.settings.min_relevance]
            ids += [pid for pid in relevant if pid not in ids][:max(0, RETRIEVED_PAPERS - len(ids))]
        papers = self.store.papers(ids[:MAX_PAPERS])
        if len(papers) >= MIN_PAPERS:
            return self._compare(question, papers, resolution.missing, True, aspects)
        if resolution.missing or required:
            return self._cannot_compare(question, papers, resolution.missing)
        return None

    def _compare(self, question: str, papers: list[Paper], missing: list[str], asked: bool,
                 aspects: Sequence[str] = ()) -> Comparison:
        generator = self.generator
        self.sentences.recall(papers)
        with self._lock:
            return compare(question, papers, missing, self.sentences, generator, self.judge,
                           load_prompt("compare"), CompareSettings(self.settings.max_new_tokens),
                           asked, aspects)

    def _cannot_compare(self, question: str, papers: list[Paper], missing: list[str]) -> Comparison:
        if missing:
            reason = Reason(NOT_IN_CORPUS, tuple(missing))
        elif papers:
            reason = Reason(ONE_PAPER, (papers[0].title,))
        else:
            reason = Reason(NO_PAPER)
        return not_compared(question, papers, missing, reason, {"embedder": self.embedder.name})

    def default_window(self) -> Window:
        """The latest week that has listed or published papers (else the latest ingest week):
        what `digest` and the Digest tab show when no window is given."""
        records = self.store.paper_records()
        return latest_week(paper_date(paper, added) for paper, added in records) or \
            Window(None, None, "all dates (no paper has a date)")

    def digest(self, window: Window | None = None, topic: str | None = None, topics: int | None = None,
               progress: Progress | None = None) -> Digest:
        """The window's papers (default: `default_window()`) by topic (clustered), or only those
        on `topic`, each topic with a checked, cited paragraph. `progress` gets (topics done, topics)."""
        window = window or self.default_window()
        topic = (topic or "").strip() or None
        dated, vectors = self._dated(window)
        generator = self.generator if dated else None  # an empty window needs no model
        self.sentences.recall([d.paper for d in dated])
        return build_digest(window, topic, dated, vectors, self.sentences, generator, self.judge,
                            load_prompt("digest"), DigestSettings(
                                self.settings.topic_threshold, self.settings.max_new_tokens, topics,
                                self.settings.topic_margin),
                            progress)

    def topic_papers(self, topic: str, window: Window) -> list[Paper]:
        """The window's papers on a topic, best first (what `digest --topic` lists)."""
        dated, vectors = self._dated(window)
        rows = on_topic(topic, [d.paper for d in dated], vectors, self.embedder,
                        self.settings.topic_threshold, self.settings.topic_margin)
        return [dated[r].paper for r in rows]

    def _dated(self, window: Window):
        """The papers dated inside the window and their embeddings, row for row."""
        dated = in_window(self.store.paper_records(), window)
        return dated, self.store.paper_embeddings([d.paper.paper_id for d in dated])

    def papers(self, paper_ids: Sequence[str] | None = None) -> list[Paper]:
        return self.store.papers(paper_ids)

    def library(self) -> list[tuple[Paper, str]]:
        """Every stored paper with the ISO date it was first added, newest listing first."""
        records = self.store.paper_records()
        by_title = sorted(records, key=lambda r: r[0].title.lower())
        return sorted(by_title, key=_sort_date, reverse=True)  # stable: titles A-Z within a day

    def delete(self, paper_ids: Sequence[str]) -> int:
        """Remove papers and their chunks; returns how many were stored."""
        if not paper_ids:
            return 0
        with self._index_lock:
            removed = self.store.delete(paper_ids)
            if removed:
                self.retriever.refresh()
        return removed

    def stats(self) -> dict:
        return store_stats(self.settings)

    def similar(self, paper_id: str, k: int = 5) -> list[tuple[Paper, float]]:
        """The k papers nearest to a stored paper by paper embedding (cosine), nearest first."""
        ids = [p.paper_id for p in self.store.papers()]
        if paper_id not in ids:
            raise AssistantError(f"no stored paper has the id {paper_id!r}")
        vectors = self.store.paper_embeddings(ids)
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        scores = vectors @ vectors[ids.index(paper_id)]
        order = [i for i in np.argsort(-scores, kind="stable") if ids[i] != paper_id][:k]
        papers = {p.paper_id: p for p in self.store.papers([ids[i] for i in order])}
        return [(papers[ids[i]], float(scores[i])) for i in order]


def _sort_date(record: tuple[Paper, str]) -> str:
    day, _ = paper_date(*record)
    return day.isoformat() if day else ""


def check_question(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise AssistantError("empty question: type a question about the papers")
    return text
