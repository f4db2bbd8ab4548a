"""Runs on a Ray cluster (PLAYGROUND_EXECUTOR=ray) through the real API.

The test starts a local Ray (2 CPUs, no dashboard, 127.0.0.1) and an app whose
run manager executes its runs there: a run created over
REST executes as an actor, streams over the websocket to "finished", and ends
with the same weights as the local executor's run of the same seed, spec and
data; controls work; a killed actor fails the run with the reason and the
run resumes from its last checkpoint to "finished".
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
from api_helpers import MLP_2D, make_settings, wait_for  # noqa: E402

ray = pytest.importorskip("ray")
BODY = {"spec": MLP_2D, "dataset": "circle", "dataset_params": {"n_samples": 400, "noise": 0.1},
        "epochs": 4, "batch_size": 16, "lr": 0.1, "seed": 7}


@pytest.fixture(scope="module")
def ray_head():
    """A local Ray started by the test: 2 CPUs, no dashboard, on 127.0.0.1. The
    executor finds it initialised and uses it (as it would a cluster's address)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1",
             namespace="playground")
    try:
        yield None
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def client(ray_head, tmp_path_factory):
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    home = tmp_path_factory.mktemp("ray-home")
    settings = make_settings(home, executor="ray", max_runs=1)
    with TestClient(create_app(settings)) as c:
        yield c


def weights_of(home: Path, run_id: str) -> dict:
    path = home / "runs" / run_id / "checkpoints" / "latest" / "weights.npz"
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def test_capacity_is_the_clusters(client):
    assert client.app.state.manager.max_runs == 2  # the cluster's CPUs, not PLAYGROUND_MAX_RUNS=1


def test_run_on_ray_streams_and_matches_local(client, tmp_path):
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    run = client.post("/api/runs", json=BODY).json()
    messages = []
    with client.websocket_connect(f"/ws/runs/{run['id']}") as ws:
        while True:
            msg = ws.receive_json()
            messages.append(msg)
            if msg["type"] == "status" and msg["status"] in ("finished", "failed", "diverged"):
                break
    assert messages[-1]["status"] == "finished", messages[-1]
    kinds = {m["type"] for m in messages}
    assert {"state", "step", "epoch"} <= kinds
    rec = wait_for(client, run["id"])
    assert rec["status"] == "finished" and rec["final"]["test"]["accuracy"] > 0.6
    on_ray = weights_of(client.app.state.settings.home, run["id"])
    # Predict reads the checkpoint that came back through the object store.
    r = client.post(f"/api/runs/{run['id']}/predict", json={"input": [[0.0, 0.0]]})
    assert r.status_code == 200

    with TestClient(create_app(make_settings(tmp_path))) as local:
        same = local.post("/api/runs", json=BODY).json()
        assert wait_for(local, same["id"])["status"] == "finished"
        here = weights_of(local.app.state.settings.home, same["id"])
    assert on_ray.keys() == here.keys()
    for key in here:
        np.testing.assert_array_equal(on_ray[key], here[key])


def test_controls_on_ray(client):
    long = {**BODY, "epochs": 1, "steps": 200_000, "batch_size": 8}
    run = client.post("/api/runs", json=long).json()
    rid = run["id"]
    wait_for(client, rid, statuses=("running",))
    deadline = time.monotonic() + 60
    while client.get(f"/api/runs/{rid}").json()["progress"]["step"] < 20:
        assert time.monotonic() < deadline, "the run on Ray made no progress"
        time.sleep(0.05)
    assert client.post(f"/api/runs/{rid}/pause").status_code == 200
    deadline = time.monotonic() + 30
    while (client.get(f"/api/runs/{rid}").json().get("checkpoint") or {}).get("step") is None:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    # Step events already on their way from the actor may still land after the pause's
    # checkpoint: wait until the count settles, then it must stay put.
    step = lambda: client.get(f"/api/runs/{rid}").json()["progress"]["step"]  # noqa: E731
    paused_at, deadline = step(), time.monotonic() + 10
    while True:
        time.sleep(0.3)
        now = step()
        if now == paused_at:
            break
        assert time.monotonic() < deadline, "the paused run kept stepping"
        paused_at = now
    time.sleep(0.5)
    assert step() == paused_at
    assert client.post(f"/api/runs/{rid}/step", json={"n": 30}).status_code == 200
    deadline = time.monotonic() + 30
    while client.get(f"/api/runs/{rid}").json()["progress"]["step"] < paused_at + 30:
        assert time.monotonic() < deadline, "step(30) did not arrive"
        time.sleep(0.05)
    r = client.patch(f"/api/runs/{rid}", json={"lr": 0.02})
    assert r.status_code == 200 and r.json()["config"]["lr"] == 0.02
    assert client.post(f"/api/runs/{rid}/resume").status_code == 200
    time.sleep(0.3)
    assert client.post(f"/api/runs/{rid}/stop").status_code == 200
    rec = wait_for(client, rid)
    assert rec["status"] == "stopped"
    points = client.get(f"/api/runs/{rid}/metrics").json()["points"]
    assert points[-1]["lr"] == pytest.approx(0.02)


def test_killed_actor_fails_then_resumes(client):
    long = {**BODY, "epochs": 1, "steps": 40_000, "batch_size": 8}
    run = client.post("/api/runs", json=long).json()
    rid = run["id"]
    deadline = time.monotonic() + 60
    while (client.get(f"/api/runs/{rid}").json().get("checkpoint") or {}).get("step") is None:
        assert time.monotonic() < deadline, "no checkpoint came back from the actor"
        time.sleep(0.05)
    handle = client.app.state.manager.records.active[rid].handle
    ray.kill(handle.actor, no_restart=True)
    rec = wait_for(client, rid)
    assert rec["status"] == "failed" and "Ray actor" in rec["message"] and rec["resumable"], rec
    assert client.post(f"/api/runs/{rid}/resume").status_code == 200
    rec = wait_for(client, rid, timeout=120)
    assert rec["status"] == "finished" and rec["progress"]["step"] == 40_000, rec
