"""The intent engine: one linear model over TF-IDF n-grams and multilingual sentence embeddings.

Word n-grams (jieba words for Chinese, stemmed words for English) and character n-grams catch
the exact phrasing customers use; the sentence embedding carries meaning across paraphrases and
across Chinese and English. Putting both into one linear SVM worked better on held-out data than
averaging two separate models, and trains faster. The SVM's margins become probabilities through
a softmax whose temperature is fitted on data the model did not train on, so a confidence of 0.8
means roughly "right four times out of five".

Single messages take a fast path that scores only the n-grams present in the text against the
model's weight rows, instead of going through scikit-learn's per-call machinery.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, Protocol, Self, cast

import joblib
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import KFold, ShuffleSplit, StratifiedKFold, StratifiedShuffleSplit
from sklearn.svm import LinearSVC

from lifeline.nlu.text import normalize, to_simplified, tokenize

__all__ = [
    "IntentClassifier",
    "IntentScore",
    "SentenceEmbedder",
    "char_source",
    "embedding_source",
    "has_content",
    "word_ngrams",
]

FloatArray = npt.NDArray[np.float32]

# Hashes, addresses and other long codes: their characters say nothing about the intent but
# would flood the character n-grams, so they are dropped (entity extraction reads them). A
# placeholder word would be worse: "ID" or "hash" mean something in customer messages.
_LONG_CODE = re.compile(r"(?<![0-9A-Za-z])(?:0x)?[0-9A-Za-z]{24,}(?![0-9A-Za-z])")
# Used when there is too little data to hold any out; a typical fitted value for this model.
_DEFAULT_TEMPERATURE = 4.0
# Below this many examples every example is scored out-of-fold for the temperature; above it
# one held-out slice is enough and costs far less.
_CROSS_VALIDATE_BELOW = 2000


@dataclass(frozen=True, slots=True)
class IntentScore:
    intent: str
    confidence: float


class SentenceEmbedder(Protocol):
    """Turns texts into L2-normalised vectors; the default is the multilingual USE encoder."""

    def embed(self, texts: Sequence[str]) -> FloatArray: ...

    def embed_one(self, text: str) -> FloatArray: ...


class _UniversalSentenceEncoder:
    def embed(self, texts: Sequence[str]) -> FloatArray:
        from lifeline.nlu.embeddings import embed

        return embed(texts)

    def embed_one(self, text: str) -> FloatArray:
        from lifeline.nlu.embeddings import embed_one

        return embed_one(text)


def _mask_codes(text: str) -> str:
    return _LONG_CODE.sub(" ", text)


def has_content(text: str) -> bool:
    """Whether the text has any word to classify (not only punctuation, emoji or codes)."""
    return bool(tokenize(_mask_codes(text)))


def word_ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams of the normalised text."""
    tokens = tokenize(_mask_codes(text))
    return [*tokens, *(f"{first} {second}" for first, second in pairwise(tokens))]


def char_source(text: str) -> str:
    """The text the character n-grams are cut from."""
    return normalize(_mask_codes(text))


def embedding_source(text: str) -> str:
    """The text the sentence encoder sees: Simplified Chinese, case kept (the encoder uses it)."""
    return to_simplified(unicodedata.normalize("NFKC", _mask_codes(text))).strip()


@dataclass(frozen=True, slots=True)
class _SparseBlock:
    """One vectoriser's vocabulary and weights, laid out for scoring a single text."""

    analyzer: Callable[[str], list[str]]
    vocabulary: dict[str, int]
    idf: FloatArray
    weights: FloatArray  # (vocabulary size, classes): one row per n-gram


@dataclass(frozen=True, slots=True)
class _FastPath:
    blocks: tuple[_SparseBlock, ...]
    embedding_weights: FloatArray | None  # (classes, dimensions), already scaled
    intercept: FloatArray


class IntentClassifier:
    """Fit on (texts, labels); predict calibrated probabilities; save and load."""

    def __init__(
        self,
        *,
        embedding_weight: float = 2.0,
        regularization: float = 0.5,
        char_ngram_range: tuple[int, int] = (1, 4),
        min_char_df: int = 2,
        held_out_fraction: float = 0.2,
        random_state: int = 0,
        embedder: SentenceEmbedder | None = None,
    ) -> None:
        self.embedding_weight = embedding_weight
        self.regularization = regularization
        self.char_ngram_range = char_ngram_range
        self.min_char_df = min_char_df
        self.held_out_fraction = held_out_fraction
        self.random_state = random_state
        self.classes: tuple[str, ...] = ()
        self.temperature = _DEFAULT_TEMPERATURE
        self.training_examples = 0
        self._embedder: SentenceEmbedder = embedder or _UniversalSentenceEncoder()
        self._word: TfidfVectorizer | None = None
        self._char: TfidfVectorizer | None = None
        self._model: LinearSVC | None = None
        self._fast: _FastPath | None = None

    @property
    def uses_embeddings(self) -> bool:
        return self.embedding_weight > 0

    @property
    def is_fitted(self) -> bool:
        return self._model is not None

    # ---------- training ----------
    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Self:
        if len(texts) != len(labels):
            raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
        if len(set(labels)) < 2:
            raise ValueError("an intent classifier needs at least two intents")
        self._word = TfidfVectorizer(analyzer=word_ngrams, sublinear_tf=True, dtype=np.float32)
        self._char = TfidfVectorizer(
            analyzer="char_wb",
            preprocessor=char_source,
            ngram_range=self.char_ngram_range,
            min_df=self.min_char_df,
            sublinear_tf=True,
            dtype=np.float32,
        )
        words = self._word.fit_transform(texts)
        try:
            chars = self._char.fit_transform(texts)
        except ValueError:  # every n-gram is below min_df: tiny data sets
            chars = self._char.set_params(min_df=1).fit_transform(texts)
        features = self._stack(words, chars, self._embed_many(texts))
        targets = np.asarray(labels, dtype=object)
        self.temperature = self._fit_temperature(features, targets)
        self._model = self._new_model().fit(features, targets)
        self.classes = tuple(str(label) for label in self._model.classes_)
        self.training_examples = len(texts)
        self._fast = None
        return self

    def _new_model(self) -> LinearSVC:
        return LinearSVC(C=self.regularization, max_iter=5000, random_state=self.random_state)

    def _fit_temperature(self, features: sp.csr_matrix, targets: npt.NDArray[Any]) -> float:
        """Fit the softmax temperature on margins of examples each model did not see."""
        classes, truth = np.unique(targets, return_inverse=True)
        margins = np.full((len(targets), len(classes)), np.nan, dtype=np.float64)
        for train_rows, held_rows in self._held_out_splits(targets):
            if len(np.unique(targets[train_rows])) < 2:
                continue
            model = self._new_model().fit(features[train_rows], targets[train_rows])
            columns = np.searchsorted(classes, model.classes_)
            held = np.full((len(held_rows), len(classes)), -1e3)
            held[:, columns] = _margins(model.decision_function(features[held_rows]))
            margins[held_rows] = held
        scored = ~np.isnan(margins[:, 0])
        if scored.sum() < 10:
            return _DEFAULT_TEMPERATURE
        scored_margins, scored_truth = margins[scored], truth[scored]

        def negative_log_likelihood(log_temperature: float) -> float:
            logits = scored_margins * math.exp(log_temperature)
            log_probabilities = log_softmax(logits, axis=1)
            return float(-log_probabilities[np.arange(len(scored_truth)), scored_truth].mean())

        best = minimize_scalar(
            negative_log_likelihood, bounds=(math.log(0.05), math.log(200.0)), method="bounded"
        )
        return float(math.exp(best.x))

    def _held_out_splits(
        self, targets: npt.NDArray[Any]
    ) -> list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]:
        rows = np.zeros(len(targets))
        smallest_class = int(np.unique(targets, return_counts=True)[1].min())
        if len(targets) < _CROSS_VALIDATE_BELOW:
            folds = min(5, len(targets))
            if folds < 2:
                return []
            splitter: Any = (
                StratifiedKFold(min(folds, smallest_class), shuffle=True, random_state=0)
                if smallest_class >= 2
                else KFold(folds, shuffle=True, random_state=0)
            )
        elif smallest_class >= 2:
            splitter = StratifiedShuffleSplit(
                1, test_size=self.held_out_fraction, random_state=self.random_state
            )
        else:
            splitter = ShuffleSplit(
                1, test_size=self.held_out_fraction, random_state=self.random_state
            )
        return list(splitter.split(rows, targets))

    # ---------- features ----------
    def _embed_many(self, texts: Sequence[str]) -> FloatArray | None:
        if not self.uses_embeddings:
            return None
        return self._embedder.embed([embedding_source(text) for text in texts])

    def _features(self, texts: Sequence[str], embeddings: FloatArray | None) -> sp.csr_matrix:
        word, char = self._vectorizers()
        return self._stack(word.transform(texts), char.transform(texts), embeddings)

    def _stack(
        self, words: sp.spmatrix, chars: sp.spmatrix, embeddings: FloatArray | None
    ) -> sp.csr_matrix:
        blocks: list[Any] = [words, chars]
        if embeddings is not None:
            blocks.append(sp.csr_matrix(embeddings * np.float32(self.embedding_weight)))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _vectorizers(self) -> tuple[TfidfVectorizer, TfidfVectorizer]:
        if self._word is None or self._char is None:
            raise RuntimeError("the intent classifier is not trained")
        return self._word, self._char

    def _fitted_model(self) -> LinearSVC:
        if self._model is None:
            raise RuntimeError("the intent classifier is not trained")
        return self._model

    # ---------- prediction ----------
    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """Probabilities for many texts, columns in the order of ``classes``."""
        model = self._fitted_model()
        if not texts:
            return np.zeros((0, len(self.classes)))
        margins = _margins(model.decision_function(self._features(texts, self._embed_many(texts))))
        return _softmax(margins * self.temperature)

    def predict(self, texts: Sequence[str]) -> list[str]:
        probabilities = self.predict_proba(texts)
        return [self.classes[index] for index in probabilities.argmax(axis=1)]

    def top_k(self, text: str, k: int = 3) -> list[IntentScore]:
        """The k most likely intents of one message, most likely first (the fast path)."""
        probabilities = _softmax(self._margins_one(text)[None, :] * self.temperature)[0]
        order = np.argsort(-probabilities)[:k]
        return [IntentScore(self.classes[i], float(probabilities[i])) for i in order]

    def _margins_one(self, text: str) -> FloatArray:
        fast = self._fast_path()
        margins = fast.intercept.copy()
        for block in fast.blocks:
            find = block.vocabulary.get
            found: list[int] = []
            frequencies: list[int] = []
            for gram, count in Counter(block.analyzer(text)).items():
                row = find(gram)
                if row is not None:
                    found.append(row)
                    frequencies.append(count)
            if not found:
                continue
            rows = np.array(found, dtype=np.intp)
            counts = np.array(frequencies, dtype=np.float32)
            # The same weighting as TfidfVectorizer(sublinear_tf=True) with L2 norm.
            values = (1.0 + np.log(counts)) * block.idf[rows]
            values /= np.float32(np.linalg.norm(values))
            margins += values @ block.weights[rows]
        if fast.embedding_weights is not None:
            margins += fast.embedding_weights @ self._embedder.embed_one(embedding_source(text))
        return margins

    def _fast_path(self) -> _FastPath:
        if self._fast is None:
            self._fast = self._build_fast_path()
        return self._fast

    def _build_fast_path(self) -> _FastPath:
        model = self._fitted_model()
        coefficients = np.asarray(model.coef_, dtype=np.float32)
        intercept = np.asarray(model.intercept_, dtype=np.float32)
        if coefficients.shape[0] == 1:  # two classes: one margin, positive for classes[1]
            coefficients = np.vstack([-coefficients, coefficients])
            intercept = np.concatenate([-intercept, intercept])
        blocks: list[_SparseBlock] = []
        offset = 0
        for vectorizer in self._vectorizers():
            size = len(vectorizer.vocabulary_)
            blocks.append(
                _SparseBlock(
                    analyzer=_fast_analyzer(vectorizer),
                    vocabulary=dict(vectorizer.vocabulary_),
                    idf=np.asarray(vectorizer.idf_, dtype=np.float32),
                    weights=np.ascontiguousarray(coefficients[:, offset : offset + size].T),
                )
            )
            offset += size
        embedding_weights = None
        if self.uses_embeddings:
            embedding_weights = np.ascontiguousarray(
                coefficients[:, offset:] * np.float32(self.embedding_weight)
            )
        return _FastPath(tuple(blocks), embedding_weights, intercept)

    # ---------- persistence ----------
    def save(self, path: Path) -> None:
        """Write atomically, so a reader never sees half a model."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        joblib.dump(self, partial)
        partial.replace(path)

    @classmethod
    def load(cls, path: Path, embedder: SentenceEmbedder | None = None) -> IntentClassifier:
        loaded = joblib.load(path)
        if not isinstance(loaded, cls):
            raise TypeError(f"{path} does not hold an intent classifier")
        if embedder is not None:
            loaded._embedder = embedder
        return loaded

    def __getstate__(self) -> dict[str, Any]:
        # The embedder is a process resource and the fast path is derived data.
        state = dict(self.__dict__)
        state["_embedder"] = None
        state["_fast"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._embedder = _UniversalSentenceEncoder()


def _fast_analyzer(vectorizer: TfidfVectorizer) -> Callable[[str], list[str]]:
    """The vectoriser's analyzer; for character n-grams within words, a faster equivalent."""
    preprocessor = vectorizer.preprocessor
    if vectorizer.analyzer != "char_wb" or vectorizer.input != "content" or preprocessor is None:
        return cast(Callable[[str], list[str]], vectorizer.build_analyzer())
    low, high = vectorizer.ngram_range

    def char_wb_ngrams(text: str) -> list[str]:
        # scikit-learn's char_wb n-grams: each word padded with one space on both sides, every
        # n-gram of every length, a word shorter than n counted once (as itself).
        grams: list[str] = []
        for word in preprocessor(text).split():
            padded = f" {word} "
            size = len(padded)
            for n in range(low, high + 1):
                if size <= n:
                    grams.append(padded)
                    break
                grams += [padded[i : i + n] for i in range(size - n + 1)]
        return grams

    return char_wb_ngrams


def _margins(decision: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    scores = np.asarray(decision, dtype=np.float64)
    if scores.ndim == 1:  # two classes
        return np.column_stack([-scores, scores])
    return scores


def _softmax(logits: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    shifted = np.asarray(logits, dtype=np.float64)
    shifted = shifted - shifted.max(axis=1, keepdims=True)
    exponentials = np.exp(shifted)
    result: npt.NDArray[np.float64] = exponentials / exponentials.sum(axis=1, keepdims=True)
    return result
