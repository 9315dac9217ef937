"""Store upkeep composed from settings: re-embed every paper (reindex, after changing the embedder)
and rebuild a broken index from the ledger (repair). The CLI's `reindex` and `repair` call these."""

from __future__ import annotations

from pathlib import Path

from assistant import app
from assistant.chunking import Chunker
from assistant.ingest import reindex
from assistant.retrieval import Retriever
from assistant.schema import AssistantError, Progress
from assistant.settings import Settings
from assistant.store import Store


def repair_store(settings: Settings, progress: Progress | None = None) -> int:
    """Rebuild a store's Chroma index from its ledger (the same work as a reindex)."""
    if not Path(settings.store, "ledger.sqlite3").is_file():
        raise AssistantError(f"store {settings.store} has no ledger to repair it from")
    return reindex_store(settings, progress)


def reindex_store(settings: Settings, progress: Progress | None = None) -> int:
    settings.apply_environment()
    embedder = app.build_embedder(settings)  # the composer's builder (tests swap in a fake)
    count = reindex(settings.store, embedder, Chunker(settings.chunk_size, settings.chunk_overlap),
                    progress)
    Retriever(Store(settings.store, embedder.name, embedder.dimension), embedder)  # saves its index
    return count
