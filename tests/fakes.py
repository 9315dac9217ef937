"""Small deterministic fakes for fast unit tests."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+")


class HashingEmbedder:
    """Lower-cased word counts hashed into buckets (crc32): texts sharing words come out closer."""

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.name = f"hashing-bow-{dimension}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in _WORD.findall(text.lower()):
                vectors[row, zlib.crc32(word.encode("utf-8")) % self.dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0.0, 1.0, norms)  # a text without words stays all zeros

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


class ConstantEmbedder:
    """Every text the same vector: similarity ties, so the other signals (words, numbers, rules)
    decide."""

    name, dimension = "constant", 2

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.tile(np.asarray([1.0, 0.0], dtype=np.float32), (len(texts), 1))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]
