"""Shared helpers for the API tests (specs, settings, waiting for runs, error locs)."""

from __future__ import annotations

import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = os.environ.get("PLAYGROUND_DATA_DIR") or str(ROOT.parent / "shared" / "data")

MLP_2D = {
    "input_shape": [2],
    "layers": [{"type": "dense", "units": 8, "activation": "tanh"}, {"type": "dense", "units": 2}],
}
CNN = {
    "input_shape": [28, 28, 1],
    "layers": [
        {"type": "conv2d", "filters": 4, "kernel_size": 5, "padding": "same"},
        {"type": "relu"},
        {"type": "maxpool2d", "pool_size": 2},
        {"type": "flatten"},
        {"type": "dense", "units": 10},
    ],
}
MLP_MNIST = {
    "input_shape": [28, 28, 1],
    "layers": [{"type": "flatten"}, {"type": "dense", "units": 16, "activation": "relu"}, {"type": "dense", "units": 10}],
}
TERMINAL = ("finished", "stopped", "failed", "diverged", "interrupted")


def make_settings(home, **overrides):
    from playground.api.settings import Settings

    values = {"home": home, "data_dir": DATA_DIR, "max_runs": 2, "max_queue": 4}
    values.update(overrides)
    return Settings(**values)


def wait_for(client, run_id, statuses=TERMINAL, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        rec = client.get(f"/api/runs/{run_id}").json()
        if rec["status"] in statuses:
            return rec
        assert time.monotonic() < deadline, f"run {run_id} still {rec['status']}"
        time.sleep(0.1)


def start_run(client, spec=MLP_2D, dataset="circle", **extra):
    body = {"spec": spec, "dataset": dataset, "epochs": 1, "batch_size": 32, "lr": 0.1, "seed": 1}
    if dataset in ("circle", "xor", "gaussian", "spiral"):
        body["dataset_params"] = {"n_samples": 200, "noise": 0.1}
    body.update(extra)
    r = client.post("/api/runs", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def finished_run(client, timeout=60.0, **start):
    """start_run(client, **start), waited for: the record of a run that finished."""
    rec = wait_for(client, start_run(client, **start)["id"], timeout=timeout)
    assert rec["status"] == "finished", rec["message"]
    return rec


def locs(response):
    """The `loc` of every error item of a 422."""
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    return [tuple(item["loc"]) for item in detail]
