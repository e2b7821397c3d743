"""The command line, run as operators run it: real processes, real ports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.databases import configured_test_database_url
from tests.support.servers import free_port


def _lifeline(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lifeline.cli", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def test_demo_serves_a_ready_server_with_docs(tmp_path: Path) -> None:
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LIFELINE_") or k == "LIFELINE_MODEL_DIR"
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lifeline.cli",
            "demo",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "demo"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        ready = None
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"{base}/readyz", timeout=2)
                break
            except httpx.HTTPError:
                assert process.poll() is None, "the demo exited early"
                time.sleep(0.3)
        assert ready is not None and ready.status_code == 200, ready
        assert ready.json()["status"] == "ready"
        docs = httpx.get(f"{base}/docs", timeout=5)
        assert docs.status_code == 200
        paths = httpx.get(f"{base}/openapi.json", timeout=5).json()["paths"]
        assert "/api/v1/auth/sign-in" in paths
        signed_in = httpx.post(
            f"{base}/api/v1/auth/sign-in",
            json={"email": "admin@demoexchange.com", "password": "lifeline-demo-2026"},
            timeout=5,
        )
        assert signed_in.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        try:
            output, _ = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert "admin@demoexchange.com" in output
    assert f"http://127.0.0.1:{port}/docs" in output


def test_migrate_and_agents_create(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LIFELINE_") or k == "LIFELINE_MODEL_DIR"
    }
    env["LIFELINE_DATA_DIR"] = str(tmp_path / "data")
    if configured_test_database_url():
        # The CLI always works on its own fresh SQLite here; PostgreSQL is covered elsewhere.
        env.pop("LIFELINE_DATABASE_URL", None)
    migrated = _lifeline("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert "latest migration" in migrated.stdout
    created = _lifeline(
        "agents",
        "create",
        "--email",
        "ops@example.com",
        "--name",
        "Ops",
        "--role",
        "supervisor",
        "--teams",
        "funds,vip",
        "--password",
        "a long password 1",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    assert "role supervisor" in created.stdout
    duplicate = _lifeline(
        "agents",
        "create",
        "--email",
        "ops@example.com",
        "--name",
        "Ops",
        "--password",
        "a long password 1",
        env=env,
    )
    assert duplicate.returncode != 0
    assert "already exists" in (duplicate.stderr + duplicate.stdout)
    short = _lifeline(
        "agents",
        "create",
        "--email",
        "x@example.com",
        "--name",
        "X",
        "--password",
        "short",
        env=env,
    )
    assert short.returncode != 0
