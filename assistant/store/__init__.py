"""The store: a durable ledger of source records and the Chroma index built from it.

No other package touches chromadb or the ledger's SQLite."""

from assistant.store.chroma import PAGE, BrokenIndex
from assistant.store.index import CHUNKS, PAPERS, SCHEMA_VERSION, Store, StoredPaper
from assistant.store.ledger import Ledger
from assistant.store.rebuild import open_building, stored_counts, stored_signature, switch

__all__ = ["BrokenIndex", "CHUNKS", "Ledger", "PAGE", "PAPERS", "SCHEMA_VERSION", "Store",
           "StoredPaper", "open_building", "stored_counts", "stored_signature", "switch"]
