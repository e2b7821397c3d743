"""parse(): language, intent, alternatives, clarification and entities; and the CLI around it."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import numpy as np
import pytest
from typer.testing import CliRunner

from lifeline.nlu import parser as parser_module
from lifeline.nlu.classifier import IntentClassifier, IntentScore
from lifeline.nlu.cli import app
from lifeline.nlu.parser import IntentParser, ParseResult, parse, set_parser

EXAMPLES: dict[str, list[str]] = {
    "deposit_not_credited": [
        "my deposit has not arrived",
        "deposit still not credited",
        "sent coins to the exchange, balance did not change",
        "where is my deposit",
        "充值没到账",
        "充币一直没有到",
    ],
    "withdrawal_delayed": [
        "my withdrawal is still pending",
        "withdrawal not received after hours",
        "withdraw stuck in processing",
        "where is my withdrawal",
        "提现一直在处理中",
        "提币还没到钱包",
    ],
    "forgot_password": [
        "i forgot my password",
        "reset my login password",
        "cannot remember the password",
        "password reset link please",
        "忘记密码",
        "密码想不起来了",
    ],
    "greeting": ["hello", "hi there", "thanks, bye", "good morning", "你好", "谢谢"],
}


class ZeroEmbedder:
    """No semantic signal: keeps these tests about the parser, not the encoder."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return np.zeros((len(texts), 8), dtype=np.float32)

    def embed_one(self, text: str) -> np.ndarray:
        return np.zeros(8, dtype=np.float32)


@pytest.fixture(scope="module")
def intent_parser() -> IntentParser:
    texts = [text for examples in EXAMPLES.values() for text in examples]
    labels = [intent for intent, examples in EXAMPLES.items() for _ in examples]
    return IntentParser(IntentClassifier(embedder=ZeroEmbedder()).fit(texts, labels))


@pytest.fixture
def installed_parser(intent_parser: IntentParser) -> Iterator[IntentParser]:
    set_parser(intent_parser)
    yield intent_parser
    set_parser(None)


def test_parse_reports_language_intent_and_entities(intent_parser: IntentParser) -> None:
    result = intent_parser.parse("my deposit of 2500 USDT has not arrived")
    assert result.lang == "en"
    assert not result.is_mixed
    assert result.intent == "deposit_not_credited"
    assert result.entities["amount"] == [{"value": "2500", "asset": "USDT"}]


def test_alternatives_are_ranked_and_start_with_the_intent(intent_parser: IntentParser) -> None:
    result = intent_parser.parse("提现一直没到账")
    assert result.lang == "zh"
    assert len(result.alternatives) == 3
    assert result.alternatives[0].intent == result.intent
    assert result.alternatives[0].confidence == result.confidence
    confidences = [candidate.confidence for candidate in result.alternatives]
    assert confidences == sorted(confidences, reverse=True)


def test_clear_message_needs_no_clarification(intent_parser: IntentParser) -> None:
    result = intent_parser.parse("忘记密码了怎么办")
    assert result.intent == "forgot_password"
    assert not result.needs_clarification
    assert result.clarify_options == []


class FixedScores(IntentClassifier):
    """A classifier whose answer is set by the test, to pin down the clarification rule."""

    def __init__(self, scores: list[tuple[str, float]]) -> None:
        super().__init__(embedder=ZeroEmbedder())
        self.scores = [IntentScore(intent, confidence) for intent, confidence in scores]

    def top_k(self, text: str, k: int = 3) -> list[IntentScore]:
        return self.scores[:k]


@pytest.mark.parametrize(
    ("scores", "options"),
    [
        ([("withdrawal_delayed", 0.52), ("deposit_not_credited", 0.41), ("greeting", 0.07)], 2),
        ([("withdrawal_delayed", 0.38), ("deposit_not_credited", 0.12), ("greeting", 0.1)], 2),
        ([("withdrawal_delayed", 0.71), ("deposit_not_credited", 0.2), ("greeting", 0.09)], 0),
    ],
)
def test_clarifies_when_the_top_two_are_close_or_the_best_is_weak(
    scores: list[tuple[str, float]], options: int
) -> None:
    result = IntentParser(FixedScores(scores)).parse("deposit withdrawal")
    assert result.needs_clarification == (options > 0)
    expected = ["withdrawal_delayed", "deposit_not_credited"] if options else []
    assert result.clarify_options == expected


@pytest.mark.parametrize(
    "text", ["", "?", "👍", "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"]
)
def test_message_without_words_is_not_guessed(intent_parser: IntentParser, text: str) -> None:
    result = intent_parser.parse(text)
    assert result.intent == "out_of_scope"
    assert result.confidence == 0.0
    assert result.needs_clarification
    assert result.alternatives == []
    assert result.clarify_options == []


def test_bare_txid_still_yields_the_entity(intent_parser: IntentParser) -> None:
    txid = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
    assert intent_parser.parse(txid).entities["txid"] == [txid]


def test_traditional_chinese_and_mixed_messages(intent_parser: IntentParser) -> None:
    traditional = intent_parser.parse("忘記密碼了")
    assert traditional.lang == "zh-Hant"
    assert traditional.intent == "forgot_password"
    mixed = intent_parser.parse("我的withdrawal一直pending")
    assert mixed.lang == "zh"
    assert mixed.is_mixed
    assert mixed.intent == "withdrawal_delayed"


def test_message_time_resolves_relative_dates(intent_parser: IntentParser) -> None:
    now = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
    with_time = intent_parser.parse("deposited 1 BTC yesterday at 3pm, still not there", now)
    assert "datetime" in with_time.entities
    assert "datetime" not in intent_parser.parse("deposited 1 BTC yesterday at 3pm").entities


def test_intents_still_work_without_entity_extraction(
    intent_parser: IntentParser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "lifeline.nlu.entities", None)  # import now fails
    result = intent_parser.parse("my deposit of 2500 USDT has not arrived")
    assert result.entities == {}
    assert result.intent == "deposit_not_credited"


def test_result_serialises_to_the_documented_json(intent_parser: IntentParser) -> None:
    payload = intent_parser.parse("hello").to_json_dict()
    assert {"lang", "intent", "confidence", "entities", "alternatives", "is_mixed"} <= set(payload)
    assert ParseResult.model_validate(payload).intent == "greeting"
    json.dumps(payload)


def test_module_level_parse_uses_the_installed_parser(installed_parser: IntentParser) -> None:
    assert parse("你好").intent == "greeting"
    assert parser_module.get_parser() is installed_parser


# ---------- CLI ----------
runner = CliRunner()


def test_cli_parse_json(installed_parser: IntentParser) -> None:
    result = runner.invoke(app, ["parse", "忘记密码", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["intent"] == "forgot_password"


def test_cli_parse_jsonl_answers_every_line_in_order(installed_parser: IntentParser) -> None:
    lines = [
        {"text": "where is my withdrawal"},
        {"text": "你好"},
        {"text": "deposited 1 BTC yesterday", "now": "2025-03-10T12:00:00+00:00"},
    ]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\nnot json\n"
    result = runner.invoke(app, ["parse", "--jsonl"], input=stdin)
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert [answer.get("intent") for answer in answers[:3]] == [
        "withdrawal_delayed",
        "greeting",
        "deposit_not_credited",
    ]
    assert answers[1]["lang"] == "zh"
    assert "datetime" in answers[2]["entities"]
    assert "error" in answers[3]


def test_cli_parse_human_readable(installed_parser: IntentParser) -> None:
    result = runner.invoke(app, ["parse", "my deposit has not arrived"])
    assert result.exit_code == 0, result.output
    assert "deposit_not_credited" in result.output
    assert "language: en" in result.output


def test_cli_parse_without_text_is_an_error(installed_parser: IntentParser) -> None:
    result = runner.invoke(app, ["parse"])
    assert result.exit_code != 0
