"""Chroma, the vector index: opening a client (on disk, or the server of the `chroma_url` setting,
which `Settings.apply_environment` publishes as ASSISTANT_CHROMA_URL) and turning its internal
failures into one-line errors that name the store and the way back."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from assistant.environment import CHROMA_URL
from assistant.schema import AssistantError

log = logging.getLogger(__name__)

CHROMA_FOLDER = "chroma"
URL_VARIABLE = CHROMA_URL
SCHEMA_VERSION = 1  # of the collections' metadata: a newer store needs a newer assistant
PAGE = 5000  # records per get: SQLite refuses a statement with too many variables (~32k)


class BrokenIndex(AssistantError):
    """Chroma failed inside (a wedged or damaged index): `assistant repair` rebuilds it."""


def is_chroma_failure(error: BaseException) -> bool:
    """An error raised from inside Chroma (its Python layer, its Rust core, its SQLite)."""
    if isinstance(error, (AssistantError, KeyboardInterrupt, SystemExit, GeneratorExit)):
        return False
    kind = type(error)
    return (kind.__module__.split(".")[0] in ("chromadb", "sqlite3", "pyo3_runtime")
            or kind.__name__ == "PanicException" or isinstance(error, __import__("sqlite3").Error))


def broken(store: Path, error: BaseException) -> BrokenIndex:
    from assistant.store.ledger import Ledger

    detail = " ".join(str(error).split())[:200] or type(error).__name__
    way_back = ("`assistant repair` rebuilds it from the store's ledger" if Ledger.exists(store)
                else "this store has no ledger to rebuild it from: ingest the source files again")
    return BrokenIndex(f"the Chroma index of store {store} cannot be read ({type(error).__name__}: "
                       f"{detail}): {way_back}")


class Guarded:
    """A Chroma client or collection whose calls raise BrokenIndex instead of Chroma's errors."""

    def __init__(self, target, store: Path):
        self._target = target
        self._store = store

    def __getattr__(self, name: str):
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute

        def call(*args, **kwargs):
            try:
                result = attribute(*args, **kwargs)
            except BaseException as error:
                if is_chroma_failure(error):
                    raise broken(self._store, error) from None
                raise
            if type(result).__name__ == "Collection":
                return Guarded(result, self._store)
            return result
        return call


def server_url() -> str | None:
    """The Chroma server this process uses, None for the index on disk."""
    return os.environ.get(URL_VARIABLE, "").strip() or None


def open_client(store: Path, create: bool = True, folder: str = CHROMA_FOLDER) -> Guarded | None:
    """The store's Chroma client (its index in `folder` of the store, unless Chroma is a server);
    None when that folder does not exist and `create` is off."""
    url = server_url()
    try:
        import chromadb

        settings = chromadb.Settings(anonymized_telemetry=False)
        if url:
            return Guarded(_http_client(chromadb, url, settings), store)
        where = Path(store) / folder
        if not create and not where.is_dir():
            return None
        return Guarded(chromadb.PersistentClient(path=str(where), settings=settings), store)
    except AssistantError:
        raise
    except OSError as error:
        raise AssistantError(f"cannot open store {store}: {error.strerror or error}") from None
    except BaseException as error:
        if is_chroma_failure(error):
            raise broken(store, error) from None
        raise


def _http_client(chromadb, url: str, settings):
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AssistantError(f"the Chroma server URL {url!r} is not an http(s)://host:port URL")
    try:
        return chromadb.HttpClient(host=parts.hostname, port=parts.port or 8000,
                                   ssl=parts.scheme == "https", settings=settings)
    except Exception as error:  # the client checks the server at once
        raise AssistantError(f"cannot reach the Chroma server at {url}: "
                             f"{' '.join(str(error).split())[:200]}") from None


def get_all(collection, include: list[str], ids: list[str] | None = None) -> dict:
    """`collection.get` in pages, so that a store of 100k papers can be read whole."""
    merged: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    if ids is not None:
        pages = [dict(ids=ids[i:i + PAGE]) for i in range(0, len(ids), PAGE)]
    else:
        pages = [dict(limit=PAGE, offset=o) for o in range(0, collection.count(), PAGE)]
    for page in pages:
        got = collection.get(include=include, **page)
        for key in merged:
            merged[key].extend(got[key])
    return merged


def check_signature(path: Path, found: dict, wanted: dict) -> None:
    if int(found.get("schema", 1)) > SCHEMA_VERSION:
        raise AssistantError(f"store {path} has schema {found['schema']}, newer than this version "
                             f"of assistant knows ({SCHEMA_VERSION}): upgrade assistant")
    if found.get("embedder") == wanted["embedder"] and found.get("dimension") == wanted["dimension"]:
        return
    raise AssistantError(
        f"store {path} was built with embedder {found.get('embedder')!r} "
        f"({found.get('dimension')}-d) but the settings use {wanted['embedder']!r} "
        f"({wanted['dimension']}-d): run `assistant reindex` to re-embed it, "
        "or set ASSISTANT_EMBEDDER back")
