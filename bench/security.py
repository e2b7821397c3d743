"""Benchmark the security engines.

1. Secret masking on a labelled TSV (lang, text, kinds): precision and recall per secret kind
   (a message counts once per kind), TxIDs / addresses / order numbers that were wrongly
   masked, and the time per message.
2. The official-channel verifier on a labelled TSV (value, verdict): accuracy, a confusion
   table, and how many official values were called lookalike (must be zero).

    .venv/bin/python bench/security.py
    .venv/bin/python bench/security.py --secrets FILE --verifier FILE --registry FILE -v
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections import Counter
from pathlib import Path

from lifeline.security.masking import SECRET_KINDS, mask_secrets
from lifeline.security.verifier import load_official_channels, verify

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRETS = Path("/work/shared/eval/secrets.tsv")
DEFAULT_VERIFIER = ROOT / "bench" / "data" / "verifier_labelled.tsv"

# Values that must stay visible. A 64-hex value is a transaction hash unless the row is
# labelled as holding a private key; addresses by their standard shapes; long digit runs
# named as orders, tickets or references.
_TXID = re.compile(r"(?<![0-9A-Za-z])(?:0x)?[0-9a-fA-F]{64}(?![0-9A-Za-z])")
_ADDRESS = re.compile(
    r"(?<![0-9A-Za-z])(?:0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{20,90}|T[1-9A-HJ-NP-Za-km-z]{33}"
    r"|[13][1-9A-HJ-NP-Za-km-z]{25,34})(?![0-9A-Za-z])"
)
_ORDER_NUMBER = re.compile(
    r"(?:order|订单号?|单号|ticket|工单|uid|参考号|reference)\D{0,6}(\d{6,20})", re.IGNORECASE
)


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def bench_masking(path: Path, verbose: bool) -> bool:
    rows = _read_tsv(path)
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in SECRET_KINDS}
    leaked_visible: list[str] = []
    visible_total = 0
    started = time.perf_counter()
    results = [mask_secrets(row["text"]) for row in rows]
    first_pass = time.perf_counter() - started  # includes loading word lists once
    timings: list[float] = []
    for row in rows:
        started = time.perf_counter()
        mask_secrets(row["text"])
        timings.append(time.perf_counter() - started)
    for row, result in zip(rows, results, strict=True):
        expected = {kind for kind in row["kinds"].split(",") if kind}
        predicted = set(result.kinds)
        for kind in SECRET_KINDS:
            if kind in predicted and kind in expected:
                counts[kind]["tp"] += 1
            elif kind in predicted:
                counts[kind]["fp"] += 1
            elif kind in expected:
                counts[kind]["fn"] += 1
        if verbose and expected != predicted:
            print(f"  MISMATCH expected={sorted(expected)} got={sorted(predicted)}: {row['text']}")
        for value in _must_stay_visible(row["text"], expected):
            visible_total += 1
            if value not in result.masked:
                leaked_visible.append(value)

    print(f"Secret masking on {path} ({len(rows)} messages)")
    print(f"{'kind':<13}{'support':>8}{'precision':>11}{'recall':>8}")
    total: Counter[str] = Counter()
    for kind in SECRET_KINDS:
        c = counts[kind]
        total.update(c)
        print(
            f"{kind:<13}{c['tp'] + c['fn']:>8}{_ratio(c['tp'], c['tp'] + c['fp']):>11}"
            f"{_ratio(c['tp'], c['tp'] + c['fn']):>8}"
        )
    precision = total["tp"] / max(1, total["tp"] + total["fp"])
    recall = total["tp"] / max(1, total["tp"] + total["fn"])
    print(f"{'overall':<13}{total['tp'] + total['fn']:>8}{precision:>11.3f}{recall:>8.3f}")
    print(
        f"TxIDs/addresses/order numbers masked: {len(leaked_visible)} of {visible_total}"
        + (f" -> {leaked_visible}" if leaked_visible else "")
    )
    mean = sum(timings) / max(1, len(timings)) * 1000
    median = sorted(timings)[len(timings) // 2] * 1000 if timings else 0.0
    print(
        f"time per message: mean {mean:.3f} ms, median {median:.3f} ms "
        f"(first pass, loading word lists: {first_pass:.2f} s)"
    )
    return recall >= 0.99 and precision >= 0.97 and not leaked_visible


def _ratio(numerator: int, denominator: int) -> str:
    return f"{numerator / denominator:.3f}" if denominator else "-"


def _must_stay_visible(text: str, expected: set[str]) -> list[str]:
    values: list[str] = []
    if "private_key" not in expected and "api_secret" not in expected:
        values.extend(m.group() for m in _TXID.finditer(text))
    values.extend(m.group() for m in _ADDRESS.finditer(text))
    values.extend(m.group(1) for m in _ORDER_NUMBER.finditer(text))
    return values


def bench_verifier(path: Path, registry_path: Path | None, verbose: bool) -> bool:
    registry = load_official_channels(registry_path)
    rows = _read_tsv(path)
    confusion: Counter[tuple[str, str]] = Counter()
    started = time.perf_counter()
    for row in rows:
        got = verify(row["value"], registry)
        confusion[(row["verdict"], got.verdict)] += 1
        if verbose and got.verdict != row["verdict"]:
            wrong = f"expected={row['verdict']} got={got.verdict} ({got.reason})"
            print(f"  WRONG {wrong}: {row['value']}")
    elapsed = time.perf_counter() - started
    correct = sum(n for (want, got), n in confusion.items() if want == got)
    accuracy = correct / max(1, len(rows))
    official_as_lookalike = confusion[("official", "lookalike")]
    labels = ("official", "lookalike", "unknown")
    print(f"\nOfficial-channel verifier on {path} ({len(rows)} values)")
    print(f"{'expected/got':<16}" + "".join(f"{label:>11}" for label in labels))
    for want in labels:
        print(f"{want:<16}" + "".join(f"{confusion[(want, got)]:>11}" for got in labels))
    print(f"accuracy: {accuracy:.3f}")
    print(f"official values called lookalike: {official_as_lookalike}")
    print(f"time per value: {elapsed / max(1, len(rows)) * 1000:.3f} ms")
    return accuracy >= 0.97 and official_as_lookalike == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--secrets", type=Path, default=DEFAULT_SECRETS)
    parser.add_argument("--verifier", type=Path, default=DEFAULT_VERIFIER)
    parser.add_argument("--registry", type=Path, default=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="list every mistake")
    args = parser.parse_args()
    masking_ok = bench_masking(args.secrets, args.verbose)
    verifier_ok = bench_verifier(args.verifier, args.registry, args.verbose)
    print("\ntargets met" if masking_ok and verifier_ok else "\ntargets NOT met")
    return 0 if masking_ok and verifier_ok else 1


if __name__ == "__main__":
    sys.exit(main())
