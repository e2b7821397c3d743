"""The single-message forward pass gives the package encoder's vectors, token cache or not."""

from __future__ import annotations

import numpy as np
import pytest

from lifeline.nlu import embeddings
from lifeline.nlu.encoder import SentenceForward

TEXTS = [
    "my deposit has not arrived",
    "我的USDT充值还没到账，交易哈希 0x8f3c5a1e9b7d2c4f",
    "Withdrawal stuck in review since yesterday!!!",
    "提现一直在审核中",
    "hi",
    "",
    "a " * 120,
    "zxqv unseenword-ℵ 🚀 ünïcödé",
]


@pytest.fixture(scope="module")
def forward() -> SentenceForward:
    return SentenceForward(embeddings._get_encoder()._model)


def package_vectors(texts: list[str]) -> np.ndarray:
    return np.asarray(embeddings._get_encoder().encode(texts), dtype=np.float32)


def test_each_text_matches_the_package_encoder(forward: SentenceForward) -> None:
    expected = package_vectors(TEXTS)
    for text, vector in zip(TEXTS, expected, strict=True):
        got = forward.encode(text)
        assert got.shape == vector.shape
        assert float(np.dot(got, vector)) > 0.99999, text
        assert np.max(np.abs(got - vector)) < 1e-5, text


def test_kept_tokens_change_nothing(forward: SentenceForward) -> None:
    forward.forget_tokens()
    assert forward.tokens_kept == 0
    cold = [forward.encode(text) for text in TEXTS]
    forward.remember(TEXTS)
    assert forward.tokens_kept > 0
    warm = [forward.encode(text) for text in TEXTS]
    for before, after in zip(cold, warm, strict=True):
        assert np.allclose(before, after, atol=1e-6)


def test_embed_one_uses_a_path_equal_to_the_batch_path() -> None:
    text = "why was my order rejected"
    single = embeddings.embed_one(text)
    batch = package_vectors([text])[0]
    assert np.max(np.abs(single - batch)) < 1e-5
