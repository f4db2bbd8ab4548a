"""Helpers shared by the deploy tests: a free port, the first answer of a server
started in its own process group, and stopping that group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_answer(url: str, proc: subprocess.Popen, timeout: float = 45.0) -> str | None:
    """The body of the first answer at url, or None when proc exits or timeout passes first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read().decode()
        except OSError:
            time.sleep(0.3)
    return None


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM proc's process group (started with start_new_session=True); SIGKILL it after 15 s."""
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
