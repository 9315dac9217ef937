"""Rebuilding the index from the ledger (reindex, repair) without ever leaving a store that
cannot be opened.

A rebuild writes a new pair of collections under a fresh prefix beside the live pair; the ledger
names the pair being built (so a killed rebuild resumes where it stopped) and the live pair. The
switch is one ledger transaction; the old pair is deleted after it, and whatever a crash leaves
behind (an abandoned pair, a pair of another embedder, a damaged index folder) is swept by the
next rebuild.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

from assistant.schema import AssistantError
from assistant.store import chroma
from assistant.store.index import CHUNKS, PAPERS, Store, check_path
from assistant.store.ledger import Ledger

log = logging.getLogger(__name__)

_OURS = re.compile(rf"^(build\d+-)?({PAPERS}|{CHUNKS})$")  # the names a store gives collections


def stored_signature(path: Path) -> dict | None:
    """The embedder a store was built with, read without creating anything; None if empty."""
    path = Path(path)
    if not path.is_dir():
        return None
    if Ledger.exists(path):
        ledger = Ledger(path, read_only=True)
        try:
            if ledger.meta("embedder"):
                return {"embedder": ledger.meta("embedder"),
                        "dimension": int(ledger.meta("dimension")), "schema": 1}
            if ledger.meta("collections") is not None:
                return None
        finally:
            ledger.close()
    client = chroma.open_client(path, create=False)  # a store made before ledgers existed
    if client is None or PAPERS not in [c.name for c in client.list_collections()]:
        return None
    return dict(client.get_collection(PAPERS, embedding_function=None).metadata or {})


def stored_counts(path: Path) -> tuple[int, int]:
    """Papers and chunks of an existing store, from its ledger when it has one (no Chroma)."""
    check_path(Path(path), read_only=True)
    if Ledger.exists(path):
        ledger = Ledger(path, read_only=True)
        try:
            return ledger.count()
        finally:
            ledger.close()
    signature = stored_signature(path)
    if signature is None:
        return 0, 0
    return Store(path, signature["embedder"], int(signature["dimension"]), read_only=True).count()


def open_building(path: Path, embedder_name: str, dimension: int) -> Store:
    """The pair of collections a rebuild to this embedder writes: the one a killed rebuild to the
    same embedder left (it resumes), else a new one."""
    path = Path(path)
    check_path(path, read_only=True)
    if not Ledger.exists(path):
        _adopt(path)
    ledger = Ledger(path)
    wanted = {"embedder": embedder_name, "dimension": dimension}
    building = json.loads(ledger.meta("building") or "null")
    if not building or {k: building[k] for k in wanted} != wanted:
        number = int(ledger.meta("builds") or 0) + 1
        # on disk a rebuild also gets its own folder: a damaged live index cannot get in its way
        building = {"prefix": f"build{number}-", "folder": f"{chroma.CHROMA_FOLDER}-build{number}",
                    **wanted}
        ledger.set_meta(builds=str(number), building=json.dumps(building))
    ledger.close()
    folder = None if chroma.server_url() else building["folder"]
    try:
        store = Store(path, embedder_name, dimension, prefix=building["prefix"], folder=folder)
    except chroma.BrokenIndex:  # a killed rebuild's own folder, damaged: start it again
        if folder is None:
            raise
        shutil.rmtree(path / folder)
        store = Store(path, embedder_name, dimension, prefix=building["prefix"], folder=folder)
    live = store.ledger.meta("collections") or ""
    _sweep(store, keep={live, store.prefix})
    return store


def _adopt(path: Path) -> None:
    """Give a store made before ledgers existed its ledger (copied from its index)."""
    signature = stored_signature(path)
    if signature is None:
        raise AssistantError(f"store {path} holds no papers")
    try:
        Store(path, signature["embedder"], int(signature["dimension"])).ledger.close()
    except chroma.BrokenIndex:
        raise AssistantError(f"store {path} has no ledger and its Chroma index cannot be read: "
                             "ingest the source files again into a new store") from None


def switch(store: Store) -> None:
    """Make the store's (rebuilt) pair the live one, then delete what the old one left."""
    store.ledger.mark_indexed(None, collections=store.prefix, embedder=store.embedder_name,
                              dimension=str(store.dimension), building=None, folder=store.folder)
    store.live = True
    _sweep(store, keep={store.prefix})


def _sweep(store: Store, keep: set[str]) -> None:
    """Delete the index folders (on disk) or collections (on a server) and the sentence vectors
    of other builds."""
    store.sentences.keep_only(keep)
    if not chroma.server_url():
        live = store.ledger.meta("folder") or chroma.CHROMA_FOLDER
        for folder in store.path.glob(chroma.CHROMA_FOLDER + "*"):
            if folder.name not in (live, store.folder) and folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
        return
    for collection in store._client.list_collections():
        if not collection.name.startswith(store.namespace):
            continue  # another store's, on a shared server
        found = _OURS.match(collection.name[len(store.namespace):])
        if found and (found.group(1) or "") not in keep:
            try:
                store._client.delete_collection(collection.name)
            except AssistantError as error:  # damaged: the next rebuild tries again
                log.warning("could not delete collection %s: %s", collection.name, error)
