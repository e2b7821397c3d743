"""Official-channel verifier: registry loading, verdicts, reasons and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import idna
import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lifeline.security.cli import security_app, verify_app
from lifeline.security.verifier import (
    OfficialChannels,
    load_official_channels,
    skeleton,
    verify,
)

# Exactly the form operators are told to write, comments included.
REGISTRY_YAML = """\
domains: [demoexchange.com, demoexchange.io]      # subdomains are official too
email_domains: [demoexchange.com]
phones: ["+14155550100"]
handles:
  telegram: ["@demoexchange", "@demoexchange_cn"]
  x: ["@demoexchange"]
"""


@pytest.fixture(scope="module")
def registry() -> OfficialChannels:
    return OfficialChannels.from_yaml(REGISTRY_YAML)


def test_registry_loads_exactly_in_the_documented_form(registry: OfficialChannels) -> None:
    assert registry.domains == ("demoexchange.com", "demoexchange.io")
    assert registry.email_domains == ("demoexchange.com",)
    assert registry.phones == ("+14155550100",)
    assert dict(registry.handles) == {
        "telegram": ("demoexchange", "demoexchange_cn"),
        "x": ("demoexchange",),
    }
    assert registry.brands == ("demoexchange",)


def test_registry_loads_from_a_file_and_the_bundled_demo(tmp_path: Path) -> None:
    path = tmp_path / "channels.yaml"
    path.write_text(REGISTRY_YAML, encoding="utf-8")
    assert OfficialChannels.from_yaml(path) == OfficialChannels.from_yaml(str(path))
    assert load_official_channels(path) == OfficialChannels.from_yaml(REGISTRY_YAML)
    assert load_official_channels(None) == OfficialChannels.from_yaml(REGISTRY_YAML)


def test_registry_rejects_unknown_keys() -> None:
    with pytest.raises(ValueError, match="unknown keys"):
        OfficialChannels.from_yaml("domains: [a.com]\nwebsite: b.com\n")


def test_unquoted_phone_numbers_still_load() -> None:
    channels = OfficialChannels.from_yaml("domains: [a.com]\nphones: [+14155550100]\n")
    assert channels.phones == ("+14155550100",)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("demoexchange.com", "official_domain"),
        ("https://support.demoexchange.com/hc/en-us", "official_subdomain"),
        ("https://www.demoexchange.io:8443/trade?pair=BTC_USDT", "official_subdomain"),
        ("HTTPS://DEMOEXCHANGE.COM/", "official_domain"),
        ("help@demoexchange.com", "official_email"),
        ("DemoExchange Support <support@demoexchange.com>", "official_email"),
        ("+1 (415) 555-0100", "official_phone"),
        ("0014155550100", "official_phone"),
        ("415.555.0100", "official_phone"),
        ("@demoexchange_cn", "official_handle"),
        ("demoexchange", "official_handle"),
        ("https://t.me/demoexchange", "official_handle"),
        ("https://twitter.com/DemoExchange", "official_handle"),
        ("这个链接 https://demoexchange.com/zh/kyc 是你们的吗", "official_domain"),
    ],
)
def test_official_values(value: str, reason: str, registry: OfficialChannels) -> None:
    verdict = verify(value, registry)
    assert (verdict.verdict, verdict.reason) == ("official", reason)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("https://demoexchange.com@evil.io/login", "userinfo_trick"),
        ("https://evil.io\\@demoexchange.com", "userinfo_trick"),
        ("demoexchange.com.evil.io", "brand_in_other_domain"),
        ("demoexchange-support.com", "brand_in_other_domain"),
        ("demoexchange.co", "brand_in_other_domain"),
        ("demo.exchange", "brand_in_other_domain"),
        ("demoexchnage.com", "typosquat"),
        ("dem0exchange.com", "typosquat"),
        ("demo-exchange.io", "typosquat"),
        ("dernoexchange.com", "typosquat"),
        ("dеmoexchange.com", "mixed_script"),  # Cyrillic е
        ("ԁеmоехсhаngе.com", "mixed_script"),  # Cyrillic except m, h, n, g
        ("ｄ℮moexchange.com", "homoglyph"),  # a symbol, no second script
        ("démoexchange.com", "homoglyph"),
        (idna.encode("dеmoexchange.com").decode(), "punycode"),
        ("@demoexchange_support", "lookalike_handle"),
        ("https://x.com/demoexchange_cn", "lookalike_handle"),
        ("t.me/dem0exchange", "lookalike_handle"),
        ("+14155550101", "near_miss_phone"),
        ("+1 415 555 1000", "near_miss_phone"),
        ("DemoExchange Support <help@demoexchange-help.com>", "brand_in_other_domain"),
        ("DemoExchange Security <alerts@mailer-secure.net>", "display_name_impersonation"),
        ("demoexchange.support@gmail.com", "brand_in_local_part"),
        (
            "Someone sent me https://demoexchange-verify.com/kyc, is it yours?",
            "brand_in_other_domain",
        ),
    ],
)
def test_lookalikes_with_reasons(value: str, reason: str, registry: OfficialChannels) -> None:
    verdict = verify(value, registry)
    assert (verdict.verdict, verdict.reason) == ("lookalike", reason), verdict.detail
    assert verdict.detail


@pytest.mark.parametrize(
    "value",
    [
        "google.com",
        "https://etherscan.io/tx/0xabc",
        "okx.com",
        "exchange.com",
        "demo.com",
        "bücher.de",
        "friend@gmail.com",
        "+44 20 7946 0958",
        "+1 415 555 0123",
        "@elonmusk",
        "https://t.me/+AbCdEfGh123",
        "where is my deposit?",
    ],
)
def test_unknown_values(value: str, registry: OfficialChannels) -> None:
    assert verify(value, registry).verdict == "unknown"


def test_skeleton_folds_lookalike_letters() -> None:
    assert skeleton("dеmо") == "demo"
    assert skeleton("D3M0") == "demo"
    assert skeleton("rnoon") == "moon"


def test_message_with_several_channels_reports_the_worst(registry: OfficialChannels) -> None:
    both = verify("email support@demoexchange.com or visit demoexchange-help.com", registry)
    assert both.verdict == "lookalike"
    assert verify(
        "call +1 415 555 0100 or write to support@demoexchange.com", registry
    ).verdict == ("official")


official_hosts = st.builds(
    lambda subdomains, domain, upper: (".".join([*subdomains, domain])).upper()
    if upper
    else ".".join([*subdomains, domain]),
    st.lists(st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True), max_size=3),
    st.sampled_from(["demoexchange.com", "demoexchange.io"]),
    st.booleans(),
)


@settings(max_examples=200)
@given(
    official_hosts,
    st.sampled_from(["", "https://", "http://", "HTTPS://"]),
    st.sampled_from(["", ":443", ":8080"]),
    st.sampled_from(["", "/", "/login", "/en/support?ref=evil.io", "/@demoexchange#x"]),
)
def test_official_urls_are_never_called_lookalike(
    host: str, scheme: str, port: str, path: str
) -> None:
    value = f"{scheme}{host}{port if scheme else ''}{path if scheme else ''}"
    assert verify(value).verdict == "official"


@settings(max_examples=100)
@given(
    st.sampled_from(["+1", "001", "+1 ", "1-", ""]),
    st.sampled_from(["415", "(415)", " 415 "]),
    st.sampled_from(["-", " ", ".", ""]),
)
def test_official_phone_in_any_format(country: str, area: str, separator: str) -> None:
    value = f"{country}{area}{separator}555{separator}0100".strip()
    assert verify(value).verdict == "official"


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=11), st.sampled_from("abcdefghijklmnopqrstuvwxyz0"))
def test_single_edits_of_the_brand_are_lookalikes(position: int, letter: str) -> None:
    brand = "demoexchange"
    edits = {
        brand[:position] + letter + brand[position + 1 :],  # changed
        brand[:position] + letter + brand[position:],  # inserted
        brand[:position] + brand[position + 1 :],  # dropped
    }
    for label in edits - {brand}:
        assert verify(f"{label}.com").verdict == "lookalike", label


def _mounted_cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(security_app, name="security")
    app.add_typer(verify_app, name="verify")

    @app.command()
    def version() -> None:
        """A second command, as in the real entry point."""

    return app


def test_verify_cli_json_and_jsonl(tmp_path: Path) -> None:
    runner = CliRunner()
    app = _mounted_cli()
    single = runner.invoke(app, ["verify", "dem0exchange.com", "--json"])
    assert single.exit_code == 0, single.output
    assert json.loads(single.output)["verdict"] == "lookalike"
    registry_file = tmp_path / "channels.yaml"
    registry_file.write_text(REGISTRY_YAML.replace("demoexchange.io", "demoexchange.net"))
    lines = '{"value": "demoexchange.net"}\n{"value": "+14155550101"}\n'
    batch = runner.invoke(app, ["verify", "--jsonl", "--registry", str(registry_file)], input=lines)
    assert batch.exit_code == 0, batch.output
    assert [json.loads(line) for line in batch.output.splitlines()] == [
        {"verdict": "official", "reason": "official_domain"},
        {"verdict": "lookalike", "reason": "near_miss_phone"},
    ]


def test_scan_cli_json_and_jsonl() -> None:
    runner = CliRunner()
    app = _mounted_cli()
    single = runner.invoke(app, ["security", "scan", "2FA code 556677", "--json"])
    payload = json.loads(single.output)
    assert payload["kinds"] == ["otp_code"]
    assert "556677" not in payload["masked"]
    lines = '{"text": "order 556677"}\n{"text": "密码 Qa778899!"}\n'
    batch = runner.invoke(app, ["security", "scan", "--jsonl"], input=lines)
    assert [json.loads(line) for line in batch.output.splitlines()] == [
        {"kinds": [], "masked": "order 556677"},
        {"kinds": ["password"], "masked": "密码 ‹password masked›"},
    ]


def test_module_is_runnable_for_scan_and_verify() -> None:
    scan = subprocess.run(
        [sys.executable, "-m", "lifeline.security.cli", "scan", "pwd: Abc#12345", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(scan.stdout)["kinds"] == ["password"]
    checked = subprocess.run(
        [sys.executable, "-m", "lifeline.security.cli", "verify", "@demoexchange", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(checked.stdout)["verdict"] == "official"
