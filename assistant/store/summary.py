"""`assistant stats`: a store's counts and models from its ledger, without Chroma or any model
library (so the command stays light: it does not import the composing module)."""

from __future__ import annotations

from assistant.settings import Settings
from assistant.store.rebuild import stored_counts, stored_signature


def store_stats(settings: Settings) -> dict:
    """Counts and models of an existing store without loading any model (from its ledger)."""
    papers, chunks = stored_counts(settings.store)
    signature = stored_signature(settings.store)
    if signature is None:
        return {"papers": 0, "chunks": 0, "embedder": settings.embedder, "dimension": None,
                "generator": settings.generator, "store": str(settings.store)}
    return {"papers": papers, "chunks": chunks, "embedder": signature["embedder"],
            "dimension": int(signature["dimension"]), "generator": settings.generator,
            "store": str(settings.store)}
