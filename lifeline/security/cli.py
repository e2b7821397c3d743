"""Command line for the security engines.

The main CLI mounts these as ``lifeline security scan|guard`` (``security_app``) and the
top-level ``lifeline verify`` (``verify_app``, or register ``verify_command`` directly).
Standalone: ``python -m lifeline.security.cli scan|guard|verify ...``.

    lifeline security scan "my password is Hunter2!" --json
    echo '{"text": "2FA code 123456"}' | lifeline security scan --jsonl
    lifeline security guard "Please send me your 2FA code" --json
    lifeline verify https://demoexchange.com@evil.io --json
    echo '{"value": "dem0exchange.com"}' | lifeline verify --jsonl --registry channels.yaml
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from lifeline.security.guard import check_outbound
from lifeline.security.masking import mask_secrets, secret_warning
from lifeline.security.verifier import load_official_channels, verify

__all__ = ["security_app", "verify_app", "verify_command"]

security_app = typer.Typer(
    help="Secret masking and the outbound guard.", no_args_is_help=True, add_completion=False
)

_TextArgument = Annotated[str | None, typer.Argument(help="The text (omit with --jsonl).")]
_JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
_JsonlOption = Annotated[
    bool, typer.Option("--jsonl", help="Read JSON lines from stdin, write one JSON line each.")
]
_LangOption = Annotated[str, typer.Option("--lang", help="Language of messages: en or zh.")]


def _emit(payload: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(payload, ensure_ascii=False) + "\n")


def _stdin_objects(field: str) -> Iterator[str]:
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise typer.BadParameter(f"line {number} is not JSON: {error}") from error
        if not isinstance(item, dict) or not isinstance(item.get(field), str):
            raise typer.BadParameter(f'line {number} needs a string "{field}"')
        yield item[field]


def _batch_or_single(
    text: str | None, jsonl: bool, field: str, one: Callable[[str], dict[str, Any]]
) -> str | None:
    """Answer every stdin line with --jsonl (returns None), else return the single value."""
    if jsonl:
        for value in _stdin_objects(field):
            _emit(one(value))
        return None
    if text is None:
        raise typer.BadParameter(f"give the {field} as an argument, or use --jsonl")
    return text


@security_app.command("scan")
def scan(
    text: _TextArgument = None,
    json_output: _JsonOption = False,
    jsonl: _JsonlOption = False,
    lang: _LangOption = "en",
) -> None:
    """Mask secrets in TEXT; --jsonl reads {"text"} lines and writes {"kinds", "masked"}."""

    def one(value: str) -> dict[str, Any]:
        result = mask_secrets(value)
        return {"kinds": result.kinds, "masked": result.masked}

    single = _batch_or_single(text, jsonl, "text", one)
    if single is None:
        return
    result = mask_secrets(single)
    if json_output:
        _emit(
            {
                "kinds": result.kinds,
                "masked": result.masked,
                "findings": [
                    {"kind": f.kind, "start": f.start, "end": f.end} for f in result.findings
                ],
                "warning": secret_warning(result.kinds, lang),
            }
        )
        return
    typer.echo(result.masked)
    if result.kinds:
        typer.echo(f"masked: {', '.join(result.kinds)}")
        typer.echo(secret_warning(result.kinds, lang) or "")


@security_app.command("guard")
def guard(
    text: _TextArgument = None,
    json_output: _JsonOption = False,
    jsonl: _JsonlOption = False,
    lang: _LangOption = "en",
) -> None:
    """Check an outbound reply; --jsonl reads {"text"} lines, writes {"allowed", "reason"}."""

    def one(value: str) -> dict[str, Any]:
        verdict = check_outbound(value)
        return {
            "allowed": verdict.allowed,
            "reason_code": verdict.reason_code,
            "reason": verdict.reason(lang),
        }

    single = _batch_or_single(text, jsonl, "text", one)
    if single is None:
        return
    payload = one(single)
    if json_output:
        _emit(payload)
    else:
        typer.echo("allowed" if payload["allowed"] else f"blocked: {payload['reason']}")
    if not payload["allowed"]:
        raise typer.Exit(code=1)


_RegistryOption = Annotated[
    Path | None,
    typer.Option("--registry", help="Official channels YAML (default: the configured one)."),
]


def verify_command(
    value: Annotated[
        str | None, typer.Argument(help="URL, domain, email, phone or handle.")
    ] = None,
    registry: _RegistryOption = None,
    json_output: _JsonOption = False,
    jsonl: _JsonlOption = False,
) -> None:
    """Is VALUE an official channel, a lookalike, or unknown? --jsonl reads {"value"} lines."""
    channels = load_official_channels(registry)

    def one(item: str) -> dict[str, Any]:
        verdict = verify(item, channels)
        return {"verdict": verdict.verdict, "reason": verdict.reason}

    single = _batch_or_single(value, jsonl, "value", one)
    if single is None:
        return
    verdict = verify(single, channels)
    if json_output:
        _emit(verdict.as_dict())
        return
    typer.echo(f"{verdict.verdict} ({verdict.reason}) {verdict.normalized}")
    if verdict.detail:
        typer.echo(verdict.detail)


# A group whose callback is the command, so `app.add_typer(verify_app, name="verify")` gives
# `lifeline verify VALUE --json`; interspersed args let options follow the value.
verify_app = typer.Typer(
    help="Check a URL, email, phone or handle against the official channels.",
    add_completion=False,
    context_settings={"allow_interspersed_args": True},
)
verify_app.callback(invoke_without_command=True)(verify_command)

_standalone = typer.Typer(add_completion=False, no_args_is_help=True)
_standalone.command("scan")(scan)
_standalone.command("guard")(guard)
_standalone.command("verify")(verify_command)

if __name__ == "__main__":
    _standalone()
