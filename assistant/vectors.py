"""Vector helpers shared by the store and the digest."""

from __future__ import annotations

import numpy as np


def unit_mean(vectors: np.ndarray) -> np.ndarray:
    """The mean of the rows, scaled to unit length (a zero mean stays zero)."""
    mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
    return mean / (np.linalg.norm(mean) or 1.0)
