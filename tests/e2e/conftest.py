"""End-to-end fixtures: Lifeline as real server processes, driven by Debian's Chromium.

Servers run as separate ``lifeline`` processes exactly as an operator starts them; browsers are
headless Chromium through Playwright. Screenshots of every main page are kept under
``test-artifacts/screenshots`` for people to look at.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page

from tests.support.browser import chromium
from tests.support.servers import free_port

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
LIFELINE = Path(sys.executable).parent / "lifeline"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@dataclass
class ServerProcess:
    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def _environment(**overrides: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("LIFELINE_")}
    env["LIFELINE_MODEL_DIR"] = os.environ["LIFELINE_MODEL_DIR"]
    env.update(overrides)
    return env


def start_server(
    arguments: list[str], log_path: Path, *, timeout: float = 180.0, **env: str
) -> ServerProcess:
    """Start ``lifeline <arguments> --port P`` and wait until it is ready."""
    port = free_port()
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [str(LIFELINE), *arguments, "--port", str(port)],
        cwd=REPO,
        env=_environment(**env),
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"lifeline exited with {process.returncode}:\n{server.log()}")
        try:
            if httpx.get(f"{server.base_url}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"lifeline did not become ready:\n{server.log()}")


def stop_server(server: ServerProcess) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """``lifeline demo``: the demo as the README starts it, on its own SQLite database."""
    data_dir = tmp_path_factory.mktemp("e2e-demo")
    server = start_server(
        ["demo", "--data-dir", str(data_dir)], data_dir / "server.log", LIFELINE_ENV="development"
    )
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def new_context(browser: Browser) -> AsyncIterator[object]:
    """Makes isolated browser contexts (separate cookies and storage: separate people).
    An uncaught error in any of their pages' scripts fails the test."""
    opened: list[BrowserContext] = []
    script_errors: list[str] = []

    async def make(*, phone: bool = False, locale: str = "en-US") -> BrowserContext:
        context = await browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            locale=locale,
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(15_000)
        context.on("weberror", lambda error: script_errors.append(str(error.error)))
        opened.append(context)
        return context

    yield make
    for context in opened:
        await context.close()
    assert script_errors == []


async def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # The open chat is a fixed panel over the page: the viewport is what the customer sees.
    await page.screenshot(path=str(path), full_page=not name.startswith("chat-"))
    return path


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"


async def wait_for(predicate: object, seconds: float = 15.0) -> None:
    """Poll an async predicate until it holds (for state outside the browser)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await predicate():  # type: ignore[operator]
            return
        await asyncio.sleep(0.2)
    raise AssertionError("condition not met in time")
