"""The composing module: an Assistant built from settings wires the stages together.

The CLI and the UI are thin adapters over this object; it returns data, never markup.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path

from assistant.answer import AnswerSettings, answer_stream
from assistant.chunking import Chunker
from assistant.embedders import Embedder, SentenceTransformerEmbedder
from assistant.generators import Generator, TransformersGenerator
from assistant.judges import EvidenceJudge, NLIJudge, SupportJudge
from assistant.ingest import Progress, ingest, reindex
from assistant.prompts import load_prompt
from assistant.retrieval import Retriever
from assistant.schema import (
    Answer, AssistantError, IngestReport, ListingDates, Paper, Passage, SentenceCheck,
)
from assistant.settings import Settings
from assistant.store import Store, stored_signature

log = logging.getLogger(__name__)


def build_embedder(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(settings.embedder, threads=settings.threads)


def build_judge(settings: Settings, embedder: Embedder) -> SupportJudge:
    if settings.judge == "offline":
        return EvidenceJudge(embedder, settings.support_threshold)
    return NLIJudge(settings.judge, settings.support_threshold, settings.threads)


def build_generator(settings: Settings) -> Generator:
    return TransformersGenerator(
        settings.generator, cache_dir=settings.model_cache_dir,
        max_new_tokens=settings.max_new_tokens, temperature=settings.temperature,
        threads=settings.threads,
    )


class Assistant:
    """Ingest, search and answer over one store. The generator loads on first use."""

    def __init__(self, settings: Settings, store: Store, embedder: Embedder,
                 generator: Generator | None = None, judge: SupportJudge | None = None):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self._generator = generator
        self.judge = judge or build_judge(settings, embedder)
        self.retriever = Retriever(store, embedder, settings.title_boost)
        self._lock = threading.Lock()  # one model call at a time; the UI serves several users

    @classmethod
    def from_settings(cls, settings: Settings) -> Assistant:
        settings.apply_environment()
        embedder = build_embedder(settings)
        store = Store(settings.store, embedder.name, embedder.dimension)
        return cls(settings, store, embedder)

    @property
    def generator(self) -> Generator:
        with self._lock:
            if self._generator is None:
                self._generator = build_generator(self.settings)
            return self._generator

    @cached_property
    def _chunker(self) -> Chunker:
        return Chunker(self.settings.chunk_size, self.settings.chunk_overlap)

    # --- jobs ----------------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path], progress: Progress | None = None,
               dating: ListingDates | None = None) -> IngestReport:
        report = ingest(paths, self.store, self.embedder, lambda: self._chunker, progress,
                        dating=dating)
        if report.added or report.updated:
            self.retriever.refresh()
        return report

    def search(self, query: str, k: int = 10) -> list[Passage]:
        return self.retriever.search(check_question(query), k)

    def ask_stream(self, question: str) -> Iterator[SentenceCheck | Answer]:
        """Checked sentences as they are ready, then the Answer."""
        question = check_question(question)
        passages = self.search(question, self.settings.top_k)
        papers = self.store.papers([p.paper_id for p in passages])
        named = frozenset(self.retriever.names.named_in(question))
        generator = self.generator
        with self._lock:
            yield from answer_stream(
                question, passages, papers, named, self.embedder, generator, self.judge,
                load_prompt("answer"), AnswerSettings(
                    self.settings.evidence_sentences, self.settings.min_relevance,
                    self.settings.min_evidence, self.settings.max_new_tokens),
            )

    def ask(self, question: str) -> Answer:
        *_, answer = self.ask_stream(question)
        return answer

    def papers(self, paper_ids: Sequence[str] | None = None) -> list[Paper]:
        return self.store.papers(paper_ids)

    def stats(self) -> dict:
        papers, chunks = self.store.count()
        return {"papers": papers, "chunks": chunks, "embedder": self.embedder.name,
                "dimension": self.embedder.dimension, "generator": self.settings.generator,
                "store": str(self.settings.store)}


def check_question(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise AssistantError("empty question: type a question about the papers")
    return text


def store_stats(settings: Settings) -> dict:
    """Counts and models of a store without loading any model."""
    signature = stored_signature(settings.store)
    if signature is None:
        return {"papers": 0, "chunks": 0, "embedder": settings.embedder, "dimension": None,
                "generator": settings.generator, "store": str(settings.store)}
    store = Store(settings.store, signature["embedder"], int(signature["dimension"]))
    papers, chunks = store.count()
    return {"papers": papers, "chunks": chunks, "embedder": signature["embedder"],
            "dimension": int(signature["dimension"]), "generator": settings.generator,
            "store": str(settings.store)}


def reindex_store(settings: Settings, progress: Progress | None = None) -> int:
    settings.apply_environment()
    embedder = build_embedder(settings)
    return reindex(settings.store, embedder, Chunker(settings.chunk_size, settings.chunk_overlap),
                   progress)
