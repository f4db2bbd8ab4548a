"""Fixtures for the browser tests: a real uvicorn server on a free port with a
temporary PLAYGROUND_HOME, and Debian's Chromium driven by Python playwright.

Skips cleanly when /usr/bin/chromium or playwright is missing, or when the
server cannot start (the API part has not landed).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

# browser_helpers.py (shared by the test modules) is imported by name: pytest runs
# with --import-mode=importlib, which does not put this folder on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 30.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/api/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("server did not become healthy")


def _start_server(home: Path, **extra_env: str) -> tuple[str, subprocess.Popen, object]:
    """(base URL, process, open log) of a uvicorn server over home, once it answers
    /api/health; skips the test, with the log's tail, when it does not."""
    port = _free_port()
    env = {**os.environ, "PLAYGROUND_HOME": str(home), "PLAYGROUND_MAX_RUNS": "2", **extra_env}
    env.setdefault("PLAYGROUND_DATA_DIR", str(ROOT.parent / "shared" / "data"))
    log = open(home / "server.log", "wb")  # noqa: SIM115 (the server's log stays open for the server's life)
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "playground.api.app:create_app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc)
    except RuntimeError as err:
        proc.kill()
        log.close()
        pytest.skip(f"server not available: {err}; log: {(home / 'server.log').read_text()[-2000:]}")
    return url, proc, log


def _stop_server(proc: subprocess.Popen, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """Base URL of a live server; its log is kept in the temp home on failure."""
    url, proc, log = _start_server(tmp_path_factory.mktemp("playground-home"))
    yield url
    _stop_server(proc, log)


# Module scope, not session: playwright's sync API keeps an event loop running
# in the main thread while it is open, which would break later asyncio.run() tests.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A fresh 1280x800 page that fails the test on any uncaught JS error."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.base_url = server
    yield pg
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def shot():
    """shot(page, name) saves tests/artifacts/<name>.png for a human to look at."""

    def take(pg, name: str, full_page: bool = False) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture(scope="module")
def server_with(tmp_path_factory):
    """server_with(**env) -> base URL of another live server with extra PLAYGROUND_*
    settings (classroom mode, ...); stopped at the end of the module."""
    procs = []

    def start(**extra_env: str) -> str:
        url, proc, log = _start_server(tmp_path_factory.mktemp("playground-home-extra"), **extra_env)
        procs.append((proc, log))
        return url

    yield start
    for proc, log in procs:
        _stop_server(proc, log)
