"""Schemathesis fuzzes every operation of the OpenAPI schema against a real demo server:
whatever a client sends, no endpoint answers 500. Bounded: a fixed seed and a few examples
per operation, as an anonymous caller, a customer and an administrator."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from lifeline.accounts.tokens import CustomerClaims, encode_customer_token
from lifeline.config import Settings
from lifeline.db import utcnow
from tests.support.servers import free_port

EXAMPLES = os.environ.get("LIFELINE_FUZZ_EXAMPLES", "8")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LIFELINE_") or k == "LIFELINE_MODEL_DIR"
    }
    env["LIFELINE_RATE_LIMITS_ENABLED"] = "false"
    data_dir = tmp_path_factory.mktemp("fuzz") / "demo"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lifeline.cli",
            "demo",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            assert process.poll() is None, "the demo server exited"
        time.sleep(0.5)
    yield base
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _fuzz(base: str, *headers: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "run",
        f"{base}/openapi.json",
        "--checks",
        "not_a_server_error",
        "--max-examples",
        EXAMPLES,
        "--seed",
        "20261121",
        "--request-timeout",
        "20",
        "--suppress-health-check",
        "all",
        "--exclude-path-regex",
        "^/metrics",
    ]
    for header in headers:
        command += ["-H", header]
    return subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path
    )


def _report(result: subprocess.CompletedProcess[str]) -> str:
    return (result.stdout + result.stderr)[-6000:]


@pytest.mark.database
def test_no_endpoint_answers_500_to_anyone(demo_server: str, tmp_path: Path) -> None:
    anonymous = _fuzz(demo_server, tmp_path=tmp_path)
    assert anonymous.returncode == 0, _report(anonymous)

    settings = Settings()
    token = encode_customer_token(
        CustomerClaims(sub="U1001", email="alice@example.com", lang="en"),
        settings.customer_token_secret,
        settings.customer_token_issuer,
        utcnow() + timedelta(hours=2),
    )
    customer = _fuzz(demo_server, f"Authorization: Bearer {token}", tmp_path=tmp_path)
    assert customer.returncode == 0, _report(customer)

    with httpx.Client(base_url=demo_server) as client:
        signed_in = client.post(
            "/api/v1/auth/sign-in",
            json={"email": "admin@demoexchange.com", "password": "lifeline-demo-2026"},
        )
        csrf = signed_in.json()["csrf_token"]
        created = client.post(
            "/api/v1/api-tokens",
            json={"name": "fuzz", "scopes": _all_scopes()},
            headers={"X-CSRF-Token": csrf},
        )
        assert created.status_code == 201, created.text
    admin = _fuzz(
        demo_server, f"Authorization: Bearer {created.json()['token']}", tmp_path=tmp_path
    )
    assert admin.returncode == 0, _report(admin)


def _all_scopes() -> list[str]:
    from lifeline.security.permissions import Permission

    return [permission.value for permission in Permission]
