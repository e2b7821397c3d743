"""Understanding one customer message: language, intent with confidence, and entities.

``parse(text)`` is what the assistant, the channels and the CLI call. The model behind it is
trained (or loaded from the cache) once per process on first use; ``warm_up()`` does that at
start-up so the first customer does not wait.
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from lifeline.nlu.classifier import IntentClassifier, IntentScore, has_content
from lifeline.nlu.language import detect

__all__ = [
    "IntentCandidate",
    "IntentParser",
    "ParseResult",
    "get_parser",
    "parse",
    "set_parser",
    "warm_up",
]

ALTERNATIVES: Final = 3
# The catalog's intent for messages that are about nothing the exchange handles.
NOTHING_TO_CLASSIFY: Final = "out_of_scope"
# Below this the best guess is not good enough to act on without asking.
CONFIDENT_AT: Final = 0.5
# Two intents closer than this are both plausible: offer both rather than guess.
CLOSE_MARGIN: Final = 0.2


class IntentCandidate(BaseModel):
    model_config = ConfigDict(frozen=True)

    intent: str
    confidence: float


class ParseResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    lang: str
    is_mixed: bool
    intent: str
    confidence: float
    alternatives: list[IntentCandidate]  # the most likely intents, best first (incl. ``intent``)
    needs_clarification: bool
    # The two intents to offer in a short question; empty when the message had nothing to
    # classify ("?", an emoji, only a txid): then ask an open question.
    clarify_options: list[str]
    entities: dict[str, list[Any]]

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class IntentParser:
    def __init__(self, classifier: IntentClassifier) -> None:
        self.classifier = classifier

    def parse(self, text: str, now: datetime | None = None) -> ParseResult:
        language = detect(text)
        entities = _extract_entities(text, now)
        if not has_content(text):
            # "?", an emoji or a bare txid: nothing to classify. Any intent would be a guess,
            # so none is offered; an open question (or the topic under way) decides.
            return ParseResult(
                lang=language.lang,
                is_mixed=language.is_mixed,
                intent=NOTHING_TO_CLASSIFY,
                confidence=0.0,
                alternatives=[],
                needs_clarification=True,
                clarify_options=[],
                entities=entities,
            )
        candidates = self.classifier.top_k(text, k=ALTERNATIVES)
        best = candidates[0]
        runner_up = candidates[1] if len(candidates) > 1 else IntentScore(best.intent, 0.0)
        needs_clarification = (
            best.confidence < CONFIDENT_AT or best.confidence - runner_up.confidence < CLOSE_MARGIN
        )
        return ParseResult(
            lang=language.lang,
            is_mixed=language.is_mixed,
            intent=best.intent,
            confidence=round(best.confidence, 4),
            alternatives=[
                IntentCandidate(intent=c.intent, confidence=round(c.confidence, 4))
                for c in candidates
            ],
            needs_clarification=needs_clarification,
            clarify_options=[best.intent, runner_up.intent]
            if needs_clarification and runner_up.intent != best.intent
            else [],
            entities=entities,
        )


def _extract_entities(text: str, now: datetime | None) -> dict[str, list[Any]]:
    try:
        from lifeline.nlu.entities import extract_entities
    except ImportError:  # entity extraction not installed in this build: intents still work
        return {}
    return extract_entities(text, now=now)


_parser_lock = threading.Lock()
_parser: IntentParser | None = None


def get_parser() -> IntentParser:
    """The process-wide parser, loading or training the model on first use."""
    global _parser
    if _parser is None:
        with _parser_lock:
            if _parser is None:
                from lifeline.nlu.training import load_or_train

                _parser = IntentParser(load_or_train().classifier)
    return _parser


def set_parser(parser: IntentParser | None) -> None:
    """Replace the process-wide parser (after retraining), or drop it to reload lazily."""
    global _parser
    with _parser_lock:
        _parser = parser


def parse(text: str, now: datetime | None = None) -> ParseResult:
    return get_parser().parse(text, now)


def warm_up() -> None:
    """Load (or train) the model, the encoder and the language models before traffic arrives."""
    from lifeline.nlu import language
    from lifeline.nlu.embeddings import warm_up as warm_up_embeddings

    warm_up_embeddings()
    language.warm_up()
    warm = get_parser()
    warm.parse("warm up")
    warm.parse("预热")  # loads jieba's dictionary too
