"""The embedder's ONNX export: the same vectors as the torch model on real corpus sentences, and a
new `assistant search` process that finds the export never imports torch or sentence-transformers."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.environment import offline_environment
from assistant.models import onnx as onnx_export
from assistant.models.embedders import PACKAGED_EMBEDDER, _resolve_source, load_embedder
from conftest import ROOT, SAMPLE

PACKAGED = Path(_resolve_source(PACKAGED_EMBEDDER))


def _corpus_sentences(count: int) -> list[str]:
    from assistant.sources import parse_paths
    from assistant.text import split_sentences

    papers = parse_paths([SAMPLE]).papers
    sentences = [p.abstract[s:e] for p in papers for s, e in split_sentences(p.abstract)]
    titles = [p.title for p in papers]
    step = max(1, len(sentences) // count)
    return sentences[::step][:count] + titles[:20] + [papers[0].abstract * 3]  # past 256 tokens


def test_the_packaged_embedder_can_be_exported():
    assert onnx_export.exportable(PACKAGED)


def test_a_model_with_other_pooling_is_not_exported(tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(PACKAGED, copy, ignore=shutil.ignore_patterns("*.safetensors"))
    pooling = copy / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**config, "pooling_mode_cls_token": True}))
    assert not onnx_export.exportable(copy)
    (copy / "modules.json").unlink()
    assert not onnx_export.exportable(copy)


def test_an_export_of_another_model_version_is_not_current(tmp_path):
    folder = onnx_export.export_folder(tmp_path, PACKAGED_EMBEDDER)
    folder.mkdir(parents=True)
    (folder / onnx_export.GRAPH).write_bytes(b"graph")
    described = {"fingerprint": onnx_export.fingerprint(PACKAGED), "dimension": 384}
    (folder / onnx_export.DESCRIPTION).write_text(json.dumps(described))
    assert onnx_export.current_export(folder, PACKAGED) == described
    (folder / onnx_export.DESCRIPTION).write_text(json.dumps({**described, "fingerprint": "old"}))
    assert onnx_export.current_export(folder, PACKAGED) is None


@pytest.fixture(scope="module")
def exported(tmp_path_factory, real_embedder) -> Path:
    """A model cache holding the packaged embedder's export (made from the loaded torch model)."""
    cache = tmp_path_factory.mktemp("onnx-cache")
    folder = onnx_export.export_folder(cache, real_embedder.name)
    onnx_export.export(real_embedder._model, PACKAGED, folder, real_embedder.name)
    return cache


@pytest.mark.slow
def test_onnx_vectors_equal_the_torch_ones_on_corpus_sentences(exported, real_embedder):
    embedder = load_embedder(PACKAGED_EMBEDDER, threads=1, cache_dir=exported)
    assert isinstance(embedder, onnx_export.OnnxEmbedder)
    assert (embedder.name, embedder.dimension) == (real_embedder.name, real_embedder.dimension)
    sentences = _corpus_sentences(150)
    reference = real_embedder.embed(sentences)
    batched = embedder.embed(sentences)  # padded batches, sorted by length
    single = np.stack([embedder.embed_query(s) for s in sentences[::10]])
    assert np.min(np.sum(batched * reference, axis=1)) > 0.9999
    assert np.min(np.sum(single * reference[::10], axis=1)) > 0.9999
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


SEARCH_AND_REPORT = """
import sys
from assistant.cli import run
try:
    run()
except SystemExit as exited:
    assert not exited.code, exited.code
print(sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules))
"""


@pytest.mark.slow
def test_search_in_a_new_process_embeds_without_torch(tmp_path, exported, real_embedder):
    from assistant.chunking import Chunker
    from assistant.ingest import ingest
    from assistant.store import Store

    source = tmp_path / "papers.jsonl"
    source.write_text("".join(json.dumps({"title": f"A Study of {t}", "abstract": f"We study {t}."})
                              + "\n" for t in ("speech recognition", "protein folding", "LoRA")))
    store = Store(tmp_path / "store", real_embedder.name, real_embedder.dimension)
    ingest([source], store, real_embedder, lambda: Chunker(200, 40))
    env = offline_environment()
    env.update(ASSISTANT_MODEL_CACHE=str(exported), ASSISTANT_CONFIG="")
    done = subprocess.run([sys.executable, "-c", SEARCH_AND_REPORT, "--store", str(tmp_path / "store"),
                           "search", "folding proteins", "--k", "1"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    found, imported = done.stdout.strip().splitlines()
    assert "A Study of protein folding" in found
    assert imported == "[]"
