"""A real uvicorn process on 127.0.0.1: a `websockets` client follows a run from
start to "finished"; then the server is killed mid-run and started again on the
same home: finished runs are intact, the running one is "interrupted" and
resumes to "finished" from its checkpoint."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from api_helpers import DATA_DIR, MLP_2D

websockets = pytest.importorskip("websockets")
pytest.importorskip("playground.runs.manager")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, home, **extra_env: str):
        self.home = home
        self.extra_env = extra_env
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Server:
        env = dict(os.environ, PLAYGROUND_HOME=str(self.home), PLAYGROUND_DATA_DIR=DATA_DIR, PLAYGROUND_MAX_RUNS="2", **self.extra_env)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "playground.api.app:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.proc.stderr.read().decode()
            try:
                if httpx.get(f"{self.base}/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("server did not answer /api/health")

    def kill(self) -> None:
        """SIGKILL the whole process group: the server and its training workers die at once."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def api(self, method: str, path: str, **kw) -> httpx.Response:
        return httpx.request(method, f"{self.base}/api{path}", timeout=10, **kw)

    def output(self) -> str:
        """What the server printed so far (stderr; call after stop())."""
        return self.proc.stderr.read().decode() if self.proc and self.proc.stderr else ""

    def wait(self, run_id: str, pred, timeout: float = 60.0, interval: float = 0.03, headers=None) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            rec = self.api("GET", f"/runs/{run_id}", headers=headers).json()
            if pred(rec):
                return rec
            assert time.monotonic() < deadline, rec
            time.sleep(interval)


def run_body(**extra) -> dict:
    body = {"spec": MLP_2D, "dataset": "circle", "dataset_params": {"n_samples": 400, "noise": 0.1},
            "epochs": 3, "batch_size": 16, "lr": 0.1, "seed": 3}
    body.update(extra)
    return body


async def follow(url: str) -> list[dict]:
    messages = []
    async with websockets.connect(url) as ws:
        while True:
            msg = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
            messages.append(msg)
            if msg["type"] == "done" or (msg["type"] == "status" and msg["status"] in ("finished", "failed", "diverged")):
                return messages


def test_websocket_follow_and_restart(tmp_path):
    home = tmp_path / "home"
    server = Server(home).start()
    try:
        # A websocket client follows a run from start to finish.
        run = server.api("POST", "/runs", json=run_body()).json()
        messages = asyncio.run(follow(f"ws://127.0.0.1:{server.port}/ws/runs/{run['id']}"))
        assert messages[0]["type"] == "state" and messages[0]["run"]["id"] == run["id"]
        kinds = {m["type"] for m in messages}
        assert {"epoch"} <= kinds and ("done" in kinds or "status" in kinds)
        assert all(isinstance(m["ts"], float) for m in messages)
        finished = server.wait(run["id"], lambda r: r["status"] == "finished")
        preds = server.api("POST", f"/runs/{run['id']}/predict", json={"input": [[0.0, 0.0], [2.0, 2.0]]}).json()

        # A longer run is paused as soon as it runs, stepped 200 steps (a
        # checkpoint is written when it pauses again), then the server dies.
        long = server.api("POST", "/runs", json=run_body(steps=6000, epochs=1, batch_size=8,
                                                         dataset_params={"n_samples": 2000, "noise": 0.1})).json()
        server.wait(long["id"], lambda r: r["status"] != "queued", interval=0.01)
        assert server.api("POST", f"/runs/{long['id']}/pause").status_code == 200
        server.wait(long["id"], lambda r: r["status"] == "paused")
        assert server.api("POST", f"/runs/{long['id']}/step", json={"n": 200}).status_code == 200
        mid = server.wait(long["id"], lambda r: r["status"] == "paused" and (r.get("checkpoint") or {}).get("step", 0) >= 200)
        assert mid["progress"]["step"] < 6000
        server.kill()
    finally:
        server.stop()

    again = Server(home).start()
    try:
        kept = again.api("GET", f"/runs/{run['id']}").json()
        assert kept["status"] == "finished" and kept["final"] == finished["final"]
        assert again.api("POST", f"/runs/{run['id']}/predict", json={"input": [[0.0, 0.0], [2.0, 2.0]]}).json() == preds
        assert again.api("GET", f"/runs/{run['id']}/metrics", params={"kind": "epoch"}).json()["total"] == 3
        rec = again.api("GET", f"/runs/{long['id']}").json()
        assert rec["status"] == "interrupted", rec
        assert again.api("POST", f"/runs/{long['id']}/resume").status_code == 200
        done = again.wait(long["id"], lambda r: r["status"] in ("finished", "failed", "diverged"), timeout=90, interval=0.2)
        assert done["status"] == "finished", done
        assert done["progress"]["step"] == 6000
        steps = again.api("GET", f"/runs/{long['id']}/metrics").json()["points"]
        assert steps[-1]["step"] == 6000
    finally:
        again.stop()
