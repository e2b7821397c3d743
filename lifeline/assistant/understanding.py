"""What the assistant understood of a message: language, intent, entities."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lifeline.nlu.parser import parse


@dataclass(frozen=True)
class Understanding:
    lang: str
    intent: str | None
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    needs_clarification: bool = False
    entities: dict[str, Any] = field(default_factory=dict)


# The exchange's own references that the general entity extractor does not know:
# withdrawal ids ("W-50001") and futures position ids ("P-70001").
_REFERENCES = {
    "withdrawal_id": re.compile(r"(?<![A-Za-z0-9])W-?\d{4,12}(?!\d)", re.IGNORECASE),
    "position_id": re.compile(r"(?<![A-Za-z0-9])P-?\d{4,12}(?!\d)", re.IGNORECASE),
}


def references(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, pattern in _REFERENCES.items():
        values = [
            f"{m.group()[0].upper()}-{m.group().lstrip('WwPp-')}" for m in pattern.finditer(text)
        ]
        if values:
            found[key] = list(dict.fromkeys(values))
    return found


def understand(text: str, now: datetime) -> Understanding:
    """The parser's language, intent and entities, plus the exchange's own references."""
    result = parse(text, now)
    return Understanding(
        lang=result.lang,
        intent=result.intent,
        confidence=result.confidence,
        alternatives=[(a.intent, a.confidence) for a in result.alternatives],
        needs_clarification=result.needs_clarification,
        entities={**result.entities, **references(text)},
    )
