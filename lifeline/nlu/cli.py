"""``lifeline nlu``: train the intent model, parse messages, benchmark the engine on any CSV."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer(
    help="Understand customer messages: language, intent and entities.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.command()
def train(
    force: Annotated[
        bool, typer.Option(help="Retrain even if a cached model matches the data.")
    ] = False,
) -> None:
    """Train the intent model on the bundled data (or load the cached one)."""
    from lifeline.nlu.training import load_or_train

    model = load_or_train(force=force)
    action = "trained" if model.trained else "loaded cached"
    typer.echo(
        f"{action} model: {model.examples} examples, {len(model.classifier.classes)} intents, "
        f"{model.seconds:.1f} s\n{model.path}"
    )


@app.command()
def parse(
    text: Annotated[str | None, typer.Argument(help="The message to parse.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    jsonl: Annotated[
        bool,
        typer.Option(
            "--jsonl",
            help='Read lines {"text": ..., "now": ISO time (optional)} from stdin; '
            "write one JSON line per input, in order.",
        ),
    ] = False,
) -> None:
    """Parse one message, or many with --jsonl."""
    from lifeline.nlu.parser import get_parser

    parser = get_parser()
    if jsonl:
        for line in sys.stdin:
            if line.strip():
                sys.stdout.write(json.dumps(_parse_request(line), ensure_ascii=False) + "\n")
                sys.stdout.flush()
        return
    if text is None:
        raise typer.BadParameter("give a TEXT to parse, or --jsonl to read from stdin")
    result = parser.parse(text)
    if json_output:
        typer.echo(json.dumps(result.to_json_dict(), ensure_ascii=False))
        return
    mixed = " (mixed)" if result.is_mixed else ""
    typer.echo(f"language: {result.lang}{mixed}")
    typer.echo(f"intent:   {result.intent} ({result.confidence:.2f})")
    for candidate in result.alternatives[1:]:
        typer.echo(f"          {candidate.intent} ({candidate.confidence:.2f})")
    if result.needs_clarification:
        typer.echo(f"clarify:  {' or '.join(result.clarify_options)}")
    typer.echo(f"entities: {json.dumps(result.entities, ensure_ascii=False)}")


def _parse_request(line: str) -> dict[str, Any]:
    from lifeline.nlu.parser import get_parser

    try:
        request = json.loads(line)
        text = request["text"]
        if not isinstance(text, str):
            raise TypeError("text must be a string")
        now = datetime.fromisoformat(request["now"]) if request.get("now") else None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        return {"error": f"bad input line: {error}"}
    return get_parser().parse(text, now).to_json_dict()


@app.command()
def benchmark(
    train_csv: Annotated[
        Path, typer.Option("--train", exists=True, dir_okay=False, help="Training CSV.")
    ],
    test_csv: Annotated[
        Path, typer.Option("--test", exists=True, dir_okay=False, help="Test CSV.")
    ],
    latency_samples: Annotated[
        int, typer.Option(help="How many test messages to time one by one.")
    ] = 1000,
    json_output: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Train the intent engine on TRAIN and measure it on TEST (CSV: text plus label column)."""
    from dataclasses import asdict

    from lifeline.nlu.training import benchmark as run_benchmark

    report = run_benchmark(train_csv, test_csv, latency_samples=latency_samples)
    if json_output:
        typer.echo(json.dumps(asdict(report)))
        return
    result = report.evaluation
    typer.echo(f"train: {report.train_examples} examples, {report.intents} intents")
    typer.echo(f"test:  {result.examples} examples")
    typer.echo(f"accuracy         {result.accuracy:.4f}")
    typer.echo(f"macro-F1         {result.macro_f1:.4f}")
    typer.echo(f"training         {report.train_seconds:.1f} s")
    typer.echo(f"latency p50/p99  {result.latency_p50_ms:.2f} / {result.latency_p99_ms:.2f} ms")
    typer.echo(
        f"confidence>=0.8  {result.confident_share:.1%} of messages, "
        f"accuracy {result.confident_accuracy:.4f} (ECE {result.expected_calibration_error:.3f})"
    )


if __name__ == "__main__":
    app()
