"""Entity extraction on the labelled development set: precision, recall, F1 per type.

Usage: .venv/bin/python bench/entities.py [path/to/entities.tsv] [--errors]
Items are compared as multisets per type; an amount is the pair (value, asset).
"""

from __future__ import annotations

import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from lifeline.nlu.entities import extract_entities

DEFAULT_DEV_SET = Path("/work/shared/eval/entities.tsv")


def _items(entities: dict[str, list[Any]]) -> Counter[tuple[str, str]]:
    items: Counter[tuple[str, str]] = Counter()
    for kind, values in entities.items():
        for value in values:
            items[(kind, json.dumps(value, sort_keys=True, ensure_ascii=False))] += 1
    return items


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    show_errors = "--errors" in sys.argv
    path = Path(args[0]) if args else DEFAULT_DEV_SET
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    extract_entities("warm up: loads the character table once")
    true_pos: Counter[str] = Counter()
    false_pos: Counter[str] = Counter()
    false_neg: Counter[str] = Counter()
    for row in rows:
        predicted = extract_entities(row["text"])
        got, want = _items(predicted), _items(json.loads(row["expected"]))
        for (kind, _), count in (got & want).items():
            true_pos[kind] += count
        for (kind, _), count in (got - want).items():
            false_pos[kind] += count
        for (kind, _), count in (want - got).items():
            false_neg[kind] += count
        if show_errors and got != want:
            print(f"- {row['text']}\n  missing {dict(want - got)}\n  extra   {dict(got - want)}")
    print(f"{'type':<16}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}")
    for kind in sorted(set(true_pos) | set(false_pos) | set(false_neg)):
        _report(kind, true_pos[kind], false_pos[kind], false_neg[kind])
    _report("micro", sum(true_pos.values()), sum(false_pos.values()), sum(false_neg.values()))
    print(f"{len(rows)} messages, {_cpu_ms_per_message([r['text'] for r in rows]):.3f} ms CPU each")


def _cpu_ms_per_message(texts: list[str], rounds: int = 5) -> float:
    """Best of a few rounds of CPU time (not wall time: the machine may be shared)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for text in texts:
            extract_entities(text)
        best = min(best, time.process_time() - started)
    return 1000 * best / len(texts)


def _report(kind: str, tp: int, fp: int, fn: int) -> None:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{kind:<16}{precision:>7.3f}{recall:>7.3f}{f1:>7.3f}{tp + fn:>9}")


if __name__ == "__main__":
    main()
