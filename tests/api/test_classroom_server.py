"""Classroom mode against a real uvicorn server on 127.0.0.1 with real clients:
two students and a teacher over HTTP, a `websockets` client watching a
classmate's run to the end, cross-site requests refused, and the teacher link
that `playground serve` prints when no teacher token is configured."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from test_server import Server, free_port, run_body

from api_helpers import DATA_DIR

websockets = pytest.importorskip("websockets")
TEACHER = "real-server-teacher-token-0123456789abcdef"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def watch(url: str, headers: dict) -> list[dict]:
    messages = []
    async with websockets.connect(url, additional_headers=headers) as ws:
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
            messages.append(msg)
            if msg["type"] == "status" and msg["status"] in ("finished", "failed", "diverged", "stopped"):
                return messages


async def refused(url: str, headers: dict) -> tuple[int, dict]:
    async with websockets.connect(url, additional_headers=headers) as ws:
        first = json.loads(await ws.recv())
        with pytest.raises(websockets.ConnectionClosed) as info:
            await ws.recv()
        return info.value.rcvd.code, first


def test_two_students_and_a_teacher(tmp_path):
    server = Server(tmp_path / "home", PLAYGROUND_AUTH="tokens", PLAYGROUND_TEACHER_TOKEN=TEACHER).start()
    try:
        ann = bearer(server.api("POST", "/session", json={"name": "Ann"}).json()["token"])
        bob = bearer(server.api("POST", "/session", json={"name": "Bob"}).json()["token"])
        teacher = bearer(TEACHER)
        assert server.api("GET", "/runs").status_code == 401

        # Bob watches Ann's run over a real websocket to its end.
        run = server.api("POST", "/runs", json=run_body(epochs=2), headers=ann).json()
        messages = asyncio.run(watch(f"ws://127.0.0.1:{server.port}/ws/runs/{run['id']}", bob))
        assert messages[0]["type"] == "state" and messages[0]["run"]["owner_name"] == "Ann"
        assert messages[-1]["status"] == "finished"

        long = server.api("POST", "/runs", json=run_body(steps=500_000, epochs=1, batch_size=8), headers=ann).json()
        server.wait(long["id"], lambda r: r["status"] == "running", interval=0.05, headers=ann)
        path = f"/runs/{long['id']}"
        for method, sub, body in [("POST", "/pause", None), ("POST", "/stop", None), ("PATCH", "", {"lr": 99}),
                                  ("GET", "/export", None), ("DELETE", "", None)]:
            r = server.api(method, path + sub, json=body, headers=bob)
            assert r.status_code == 403 and "belongs to Ann" in r.json()["detail"], (method, sub, r.text)
            assert server.api(method, path + sub, json=body).status_code == 401
        assert server.api("PATCH", path, json={"lr": 0.05}, headers=teacher).status_code == 200
        assert server.api("POST", path + "/pause", headers=teacher).status_code == 200
        assert server.api("POST", path + "/stop", headers=ann).status_code == 200

        # A page on another site posting a form with Ann's cookie gets nowhere.
        cookie = {"Cookie": f"pg_session={ann['Authorization'].split()[1]}"}
        r = server.api("POST", "/runs", content="a=1",
                       headers={**cookie, "Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code == 403
        r = server.api("DELETE", path, headers={**cookie, "Origin": "http://evil.example",
                                                "X-Playground": "1"})
        assert r.status_code == 403
        assert server.api("GET", path, headers=ann).status_code == 200  # still there

        # Websockets: another origin 4403, no session 4401.
        url = f"ws://127.0.0.1:{server.port}/ws/runs/{run['id']}"
        code, first = asyncio.run(refused(url, {**cookie, "Origin": "http://evil.example"}))
        assert code == 4403 and "Origin" in first["message"]
        code, first = asyncio.run(refused(url, {}))
        assert code == 4401
        assert server.api("DELETE", path, headers=teacher).status_code == 204
    finally:
        server.stop()


def test_serve_prints_a_teacher_link_once(tmp_path):
    """`playground serve` in tokens mode without PLAYGROUND_TEACHER_TOKEN makes a
    token and prints a link with it; that token is the teacher's."""
    port = free_port()
    env = {**os.environ, "PLAYGROUND_HOME": str(tmp_path), "PLAYGROUND_DATA_DIR": DATA_DIR,
           "PLAYGROUND_AUTH": "tokens"}
    env.pop("PLAYGROUND_TEACHER_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "playground.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        link = None
        while link is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            found = re.search(rf"(http://127\.0\.0\.1:{port}/class#token=([\w-]+))", line)
            if found:
                link = found
        assert link, "no teacher link printed"
        token = link.group(2)
        assert len(token) >= 43
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        r = httpx.get(f"http://127.0.0.1:{port}/api/class", headers=bearer(token), timeout=5)
        assert r.status_code == 200
        student = httpx.post(f"http://127.0.0.1:{port}/api/session", timeout=5).json()["token"]
        assert httpx.get(f"http://127.0.0.1:{port}/api/class", headers=bearer(student), timeout=5).status_code == 403
    finally:
        proc.terminate()
        proc.wait(timeout=15)
