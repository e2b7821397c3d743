"""Recognising a new ticket that repeats one of the customer's open tickets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

from lifeline.nlu.text import tokenize

# Fields that identify one transaction or order: sharing one is the same problem.
IDENTIFYING_FIELDS = ("txid", "order_id", "address")
TEXT_SIMILARITY_THRESHOLD = 90.0
_MIN_TEXT_TOKENS = 4


@dataclass(frozen=True)
class TicketFacts:
    ticket_id: int
    category: str
    fields: Mapping[str, Any]
    text: str


def _identifiers(fields: Mapping[str, Any]) -> set[tuple[str, str]]:
    found = set()
    for name in IDENTIFYING_FIELDS:
        value = fields.get(name)
        if value:
            normalized = str(value).strip()
            # Hex TxIDs and EVM addresses are case-insensitive; base58 ones are not, but two
            # base58 values that differ only in case are never both valid, so folding is safe.
            found.add((name, normalized.lower().removeprefix("0x")))
    return found


def _text_key(text: str) -> str:
    return " ".join(tokenize(text))


def text_similarity(first: str, second: str) -> float:
    a, b = _text_key(first), _text_key(second)
    if len(a.split()) < _MIN_TEXT_TOKENS or len(b.split()) < _MIN_TEXT_TOKENS:
        return 0.0
    return float(fuzz.token_sort_ratio(a, b))


def find_duplicate(new: TicketFacts, open_tickets: Sequence[TicketFacts]) -> TicketFacts | None:
    """Pure: the open ticket this one repeats (same category and a shared TxID, order or
    address; or nearly the same words), newest first."""
    new_ids = _identifiers(new.fields)
    for existing in open_tickets:
        if existing.category == new.category and new_ids & _identifiers(existing.fields):
            return existing
    for existing in open_tickets:
        if _conflicting(new_ids, _identifiers(existing.fields)):
            continue
        if text_similarity(new.text, existing.text) >= TEXT_SIMILARITY_THRESHOLD:
            return existing
    return None


def _conflicting(first: set[tuple[str, str]], second: set[tuple[str, str]]) -> bool:
    """Both name a transaction (or order, or address) and they are different ones: however
    alike the words, these are two problems."""
    kinds = {name for name, _ in first} & {name for name, _ in second}
    return any(
        {v for n, v in first if n == kind}.isdisjoint({v for n, v in second if n == kind})
        for kind in kinds
    )
