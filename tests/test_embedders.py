"""Embedders: the hashing fake used by fast tests, and the packaged all-MiniLM-L6-v2."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from assistant.models.embedders import SentenceTransformerEmbedder  # noqa: E402
from fakes import HashingEmbedder  # noqa: E402
from assistant.schema import AssistantError  # noqa: E402


def test_hashing_embedder_is_deterministic_across_instances():
    texts = ["Sparse voxel transformers for 3D scenes", "Diffusion models for audio"]
    assert np.array_equal(HashingEmbedder().embed(texts), HashingEmbedder().embed(texts))


def test_hashing_embedder_rows_are_unit_float32():
    vectors = HashingEmbedder(dimension=64).embed(["one two three", "Four, five; six!"])
    assert vectors.shape == (2, 64) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)


def test_hashing_embedder_ranks_shared_words_higher():
    embedder = HashingEmbedder()
    query = embedder.embed_query("graph neural networks for molecules")
    related, unrelated = embedder.embed(["Molecules as graphs: neural networks", "Speech recognition in noise"])
    assert query @ related > query @ unrelated


def test_hashing_embedder_ignores_case_and_punctuation():
    embedder = HashingEmbedder()
    assert np.array_equal(embedder.embed_query("Large Language Models!"), embedder.embed_query("large language models"))


def test_hashing_embedder_handles_empty_input():
    embedder = HashingEmbedder()
    assert embedder.name == "hashing-bow-256"
    assert embedder.embed([]).shape == (0, 256)
    assert not embedder.embed_query("").any()  # no words: a zero vector, not NaN


@pytest.mark.slow
def test_minilm_embeds_unit_vectors_of_384(real_embedder):
    vectors = real_embedder.embed(["Retrieval-augmented generation.", "Protein folding with transformers."])
    assert real_embedder.name == "all-MiniLM-L6-v2" and real_embedder.dimension == 384
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert real_embedder.embed([]).shape == (0, 384)


@pytest.mark.slow
def test_minilm_puts_a_paraphrase_closer_than_an_unrelated_sentence(real_embedder):
    query = real_embedder.embed_query("A new method makes large language models answer faster.")
    paraphrase, unrelated = real_embedder.embed(
        ["We speed up inference of big language models.", "The recipe needs two cups of flour and an egg."]
    )
    assert query @ paraphrase > query @ unrelated + 0.2


@pytest.mark.slow
def test_minilm_query_matches_its_batch_row(real_embedder):
    texts = ["short", "a somewhat longer text about image segmentation " * 5, "medium length text here"]
    batch = real_embedder.embed(texts)  # batched in length order, returned in input order
    assert np.allclose(real_embedder.embed_query(texts[1]), batch[1], atol=1e-5)


@pytest.mark.slow
def test_hub_id_of_the_packaged_model_uses_the_packaged_weights(real_embedder):
    embedder = SentenceTransformerEmbedder("sentence-transformers/all-MiniLM-L6-v2")
    assert embedder.name == real_embedder.name
    text = "same weights"
    assert np.allclose(embedder.embed_query(text), real_embedder.embed_query(text), atol=1e-6)


def test_missing_model_path_names_the_path(tmp_path):
    missing = tmp_path / "no-such-model"
    with pytest.raises(AssistantError, match="no-such-model") as raised:
        SentenceTransformerEmbedder(str(missing))
    assert "\n" not in str(raised.value) and "ASSISTANT_EMBEDDER" in str(raised.value)

@pytest.mark.slow
def test_uncached_hub_id_offline_says_how_to_get_it():
    with pytest.raises(AssistantError, match="ASSISTANT_ALLOW_NETWORK") as raised:
        SentenceTransformerEmbedder("nobody-here/no-such-embedder")
    assert "nobody-here/no-such-embedder" in str(raised.value) and "\n" not in str(raised.value)
