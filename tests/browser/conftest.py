"""The web console in a real browser: the local stack (demo included) in a process of its own, Debian's Chromium.

The stack is `python -m infra.local.stack` as `make run` starts it, on free loopback ports with its own state
file, so nothing of it touches the other tests' environment. Chromium is /usr/bin/chromium (`make browser`
installs it), never a downloaded build, started with the flags a machine without outside network needs.
Each journey leaves a screenshot of its last screen under build/screenshots/.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "build" / "screenshots"
CONSOLE = ROOT / "build" / "console"
START_TIMEOUT = 240
# The demo's records reach the stream's subscribers (feeds, inboxes, counters) after the stack is up; journeys
# that read them wait for the stack's "stream caught up" line rather than each guessing a delay of its own.
CATCH_UP_TIMEOUT = 900
# Without these, Chromium on a machine with no outside network keeps trying (and failing) to phone home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Demo-Passw0rd!"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Stack:
    """The running local stack: its URLs, and the API as a demo user calls it (for a journey's preparation)."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.api_url: str = state["api_url"]
        self.console_url: str = state["console_url"]
        self._tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        if user not in self._tokens:
            from infra.local.token import id_token

            self._tokens[user] = id_token(user, self.state)
        return self._tokens[user]

    def call(self, user: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.api_url + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.token(user)}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def ok(self, user: str, method: str, path: str, body: Any = None) -> Any:
        status, answer = self.call(user, method, path, body)
        assert 200 <= status < 300, (method, path, status, answer)
        return answer


@pytest.fixture(scope="session")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make browser` installs Debian's chromium")
    if not (CONSOLE / "field.html").exists():
        pytest.fail("the console is not built: `make console`")
    running = os.environ.get("BROWSER_TESTS_STACK")
    if running:  # a stack already started (with its state file named here): quicker while writing a journey
        yield Stack(json.loads(Path(running).read_text()))
        return
    where = tmp_path_factory.mktemp("stack")
    state_file = where / "stack.json"
    env = {
        **os.environ,
        "LOCAL_API_PORT": str(_free_port()),
        "LOCAL_MOTO_PORT": str(_free_port()),
        "LOCAL_CONSOLE_PORT": str(_free_port()),
        "LOCAL_STATE_FILE": str(state_file),
    }
    log = (where / "stack.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local.stack"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not state_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the local stack did not start:\n" + (where / "stack.log").read_text()[-4000:])
            time.sleep(0.5)
        up = time.monotonic()
        while "stream caught up" not in (where / "stack.log").read_text():
            if process.poll() is not None or time.monotonic() > up + CATCH_UP_TIMEOUT:
                pytest.fail("the stream never caught up:\n" + (where / "stack.log").read_text()[-4000:])
            time.sleep(0.5)
        _measure("stack_stream_caught_up_s", round(time.monotonic() - up, 1))
        yield Stack(json.loads(state_file.read_text()))
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


def _measure(name: str, value: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / "measurements.json"
    known = json.loads(path.read_text()) if path.exists() else {}
    known[name] = value
    path.write_text(json.dumps(known, indent=2) + "\n")


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, local: Stack, user: str, start: str = "/") -> None:
    """Through the console's own button and the identity provider's form (code + PKCE), as a person signs in."""
    page.goto(local.console_url + start)
    page.get_by_test_id("sign-in").click()
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
