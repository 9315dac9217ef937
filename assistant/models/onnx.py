"""The embedder as an ONNX graph: exported once from the sentence-transformers model (torch), then
run with onnxruntime + tokenizers, so that a new process embeds a query without importing torch.

The graph is the model's transformer only; mean pooling over the attention mask and L2
normalisation are done here exactly as sentence-transformers does them. An export is kept only if
its vectors match the torch model's on probe sentences (cosine > MIN_COSINE), so a model this
module cannot reproduce stays on torch.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from assistant.schema import AssistantError

logger = logging.getLogger(__name__)

GRAPH = "model.onnx"
TOKENIZER = "tokenizer.json"
DESCRIPTION = "export.json"  # what was exported from where; written last, so it marks a whole export
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
MIN_COSINE = 0.9999
BATCH_SIZE = 32
PROBES = (
    "We propose a parameter-efficient method for fine-tuning large language models.",
    "Diffusion models generate images from text.",
    "x",
    "Scaling laws predict the loss of a language model from its size, data and compute budget, "
    "and they hold across seven orders of magnitude in our experiments on code and natural text.",
)


def export_folder(cache_dir: Path, name: str) -> Path:
    """Where the export of embedder `name` lives in the model cache."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return Path(cache_dir) / "onnx" / safe


def exportable(source: Path) -> bool:
    """A sentence-transformers folder whose pipeline is transformer -> mean pooling -> normalise
    (what OnnxEmbedder reproduces), with a fast tokenizer file."""
    try:
        modules = [m["type"].rsplit(".", 1)[-1] for m in _read_json(source / "modules.json")]
        pooling = _read_json(source / "1_Pooling" / "config.json")
    except (OSError, ValueError, KeyError, TypeError):
        return False
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        pooling.get(k) for k in ("pooling_mode_cls_token", "pooling_mode_max_tokens",
                                 "pooling_mode_mean_sqrt_len_tokens"))
    return (modules == ["Transformer", "Pooling", "Normalize"] and bool(mean_only)
            and (source / TOKENIZER).is_file())


def fingerprint(source: Path) -> str:
    """Names the model files an export came from (configs by content, weights by size), so a
    changed model is exported again."""
    digest = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source).as_posix()
        if path.suffix in (".json", ".txt"):
            digest.update(relative.encode() + path.read_bytes())
        else:
            digest.update(f"{relative}:{path.stat().st_size}".encode())
    return digest.hexdigest()


def current_export(folder: Path, source: Path) -> dict | None:
    """The export's description if the folder holds a whole export of this very model."""
    try:
        described = _read_json(folder / DESCRIPTION)
    except (OSError, ValueError):
        return None
    if described.get("fingerprint") != fingerprint(source) or not (folder / GRAPH).is_file():
        return None
    return described


def export(model: Any, source: Path, folder: Path, name: str) -> dict:
    """Write `model` (a loaded SentenceTransformer) to `folder` as ONNX and check it against the
    model on PROBES; the folder appears whole or not at all."""
    import torch

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=folder.name + ".", dir=folder.parent))
    try:
        _write_graph(model, staging / GRAPH, torch)
        shutil.copyfile(source / TOKENIZER, staging / TOKENIZER)
        described = {"name": name, "fingerprint": fingerprint(source), "source": str(source),
                     "dimension": int(model.get_embedding_dimension()),
                     "max_length": int(model.max_seq_length)}
        reference = model.encode(list(PROBES), normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)
        exported = OnnxEmbedder(name, staging, threads=1, described=described).embed(PROBES)
        cosine = float(np.min(np.sum(exported * reference, axis=1)))
        if cosine <= MIN_COSINE:
            raise AssistantError(f"the ONNX export of {name} differs from the model "
                                 f"(cosine {cosine:.6f})")
        described["probe_cosine"] = cosine
        (staging / DESCRIPTION).write_text(json.dumps(described, indent=1), encoding="utf-8")
        staging.chmod(0o755)  # mkdtemp's folder is private; the cache is not
        shutil.rmtree(folder, ignore_errors=True)  # a stale export of an older model
        staging.rename(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("exported embedder %s to ONNX in %s (probe cosine %.7f)", name, folder, cosine)
    return described


def _write_graph(model: Any, path: Path, torch) -> None:
    transformer = model[0].auto_model.eval()

    class LastHiddenState(torch.nn.Module):
        """The transformer with keyword inputs (its forward's positional order varies by version)."""

        def __init__(self):
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

    example = torch.ones((2, 8), dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
    # the tracer warns about shape checks it turns into constants: they hold for every input here,
    # and the probe comparison in `export` would catch a graph that got them wrong
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(LastHiddenState(), (example, example, torch.zeros_like(example)),
                          str(path), input_names=list(INPUTS), output_names=["last_hidden_state"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)


class OnnxEmbedder:
    """An exported sentence-transformers model on onnxruntime: the Embedder protocol, no torch."""

    def __init__(self, name: str, folder: Path, threads: int = 1, described: dict | None = None):
        import onnxruntime
        from tokenizers import Tokenizer

        described = described or _read_json(Path(folder) / DESCRIPTION)
        self.name, self.dimension = name, int(described["dimension"])
        self.batch_size = BATCH_SIZE
        self._tokenizer = Tokenizer.from_file(str(Path(folder) / TOKENIZER))
        # the model's own limit (sentence-transformers' max_seq_length), not the file's default
        self._tokenizer.enable_truncation(int(described["max_length"]))
        self._tokenizer.enable_padding(pad_id=self._tokenizer.token_to_id("[PAD]") or 0)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        options.log_severity_level = 3  # its warnings about unused initialisers are noise
        self._session = onnxruntime.InferenceSession(str(Path(folder) / GRAPH), options,
                                                     providers=["CPUExecutionProvider"])
        # the exporter drops an input the model ignores (token types, in some models)
        self._inputs = {i.name for i in self._session.get_inputs()}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # shortest first, as sentence-transformers does: batches of similar length pad less
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start:start + self.batch_size]
            vectors[rows] = self._embed_batch([texts[i] for i in rows])
        return vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encoded = self._tokenizer.encode_batch(texts)
        feed = {"input_ids": np.asarray([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": np.asarray([e.attention_mask for e in encoded], dtype=np.int64),
                "token_type_ids": np.asarray([e.type_ids for e in encoded], dtype=np.int64)}
        hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def __repr__(self) -> str:
        return f"OnnxEmbedder({self.name!r}, dimension={self.dimension})"


def _read_json(path: Path):
    return json.loads(Path(path).read_text(encoding="utf-8"))
