"""The compose file's cluster profile, run outside Docker the way the image runs
it: the ray-head and ray-worker services' own commands (only the head's host
name and port changed to a free port on 127.0.0.1), with token authentication
as compose passes it; then a server with PLAYGROUND_EXECUTOR=ray trains a run on
that worker."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "api"))
from deploy_helpers import free_port  # noqa: E402

from api_helpers import DATA_DIR, MLP_2D  # noqa: E402

pytest.importorskip("ray")
RAY = str(Path(sys.executable).parent / "ray")


def service_command(compose: dict, name: str, port: int) -> list[str]:
    service = compose["services"][name]
    assert service["profiles"] == ["cluster"]
    cmd = [RAY if part == "ray" else part.replace("ray-head:6379", f"127.0.0.1:{port}")
           .replace("--port=6379", f"--port={port}") for part in service["command"]]
    return cmd


def wait_for(api: httpx.Client, run_id: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while (rec := api.get(f"/runs/{run_id}").json())["status"] in ("queued", "running", "paused"):
        assert time.monotonic() < deadline, rec
        time.sleep(0.2)
    return rec


def test_compose_cluster_profile_runs_a_run(tmp_path):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert compose["services"]["playground"]["environment"]["PLAYGROUND_RAY_ADDRESS"] == "ray-head:6379"
    port = free_port()
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32),
           "PLAYGROUND_CACHE_DIR": str(tmp_path / "cache")}
    head = subprocess.Popen(service_command(compose, "ray-head", port), env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    procs = [head]
    try:
        time.sleep(3)
        procs.append(subprocess.Popen(service_command(compose, "ray-worker", port), env=env, cwd=tmp_path,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True))
        # The server as the playground service runs it, pointed at the head.
        web = free_port()
        server_env = {**env, "PLAYGROUND_HOME": str(tmp_path / "home"), "PLAYGROUND_DATA_DIR": DATA_DIR,
                      "PLAYGROUND_EXECUTOR": "ray", "PLAYGROUND_RAY_ADDRESS": f"127.0.0.1:{port}",
                      "PLAYGROUND_AUTH": "open"}
        procs.append(subprocess.Popen([sys.executable, "-m", "playground.cli", "serve", "--host", "127.0.0.1",
                                       "--port", str(web)], env=server_env, cwd=tmp_path,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      start_new_session=True))
        api = httpx.Client(base_url=f"http://127.0.0.1:{web}/api", timeout=10)
        deadline = time.monotonic() + 120
        while True:
            try:
                if api.get("/health").json()["limits"]["max_runs"] == 1:
                    break  # the worker joined: the cluster has its one CPU (the head schedules only)
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            assert time.monotonic() < deadline, "the server or the worker did not come up"
            time.sleep(0.5)
        body = {"spec": MLP_2D, "dataset": "xor", "dataset_params": {"n_samples": 200, "noise": 0.1},
                "epochs": 2, "batch_size": 16, "lr": 0.1}
        run = api.post("/runs", json=body).json()
        rec = wait_for(api, f"{run['id']}", timeout=120)
        assert rec["status"] == "finished", rec
    finally:
        for proc in reversed(procs):
            proc.terminate()
        subprocess.run([RAY, "stop", "--force"], capture_output=True, timeout=120, env=env)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
