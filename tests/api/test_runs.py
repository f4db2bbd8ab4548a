"""Runs over REST: create, list, get, controls, patch, delete, metrics, export - and their bad inputs."""

import pytest

from api_helpers import CNN, MLP_2D, locs, start_run, wait_for


@pytest.fixture(scope="module")
def finished(client):
    rec = start_run(client, epochs=2)
    return wait_for(client, rec["id"])


def test_create_and_finish(client, finished):
    assert finished["status"] == "finished", finished["message"]
    assert finished["dataset"] == "circle"
    assert finished["config"]["batch_size"] == 32
    assert finished["final"]["test"]["accuracy"] is not None


def test_get_and_list(client, finished):
    assert client.get(f"/api/runs/{finished['id']}").json()["id"] == finished["id"]
    ids = [r["id"] for r in client.get("/api/runs").json()]
    assert finished["id"] in ids
    only = client.get("/api/runs", params={"status": "finished"}).json()
    assert only and all(r["status"] == "finished" for r in only)
    assert client.get("/api/runs", params={"status": "queued"}).status_code == 200


def test_metrics_history(client, finished):
    steps = client.get(f"/api/runs/{finished['id']}/metrics").json()
    assert steps["kind"] == "step" and steps["total"] >= 1
    assert all("loss" in p for p in steps["points"])
    epochs = client.get(f"/api/runs/{finished['id']}/metrics", params={"kind": "epoch"}).json()
    assert [p["epoch"] for p in epochs["points"]] == [1, 2]
    few = client.get(f"/api/runs/{finished['id']}/metrics", params={"max_points": 2}).json()
    if steps["total"] >= 2:
        # Downsampled to the first and the last point, the total still the whole history's.
        assert few["points"] == [steps["points"][0], steps["points"][-1]] and few["total"] == steps["total"]
    else:
        assert few["points"] == steps["points"]


@pytest.mark.parametrize("params", [{"kind": "hour"}, {"offset": -1}, {"max_points": 1}, {"limit": 0}])
def test_metrics_bad_query(client, finished, params):
    assert client.get(f"/api/runs/{finished['id']}/metrics", params=params).status_code == 422


def test_controls_on_finished_run_are_conflicts(client, finished):
    for action in ("pause", "stop"):
        r = client.post(f"/api/runs/{finished['id']}/{action}")
        assert r.status_code == 409, (action, r.text)
        assert isinstance(r.json()["detail"], str)


def test_pause_step_resume_patch_stop(client):
    rec = start_run(client, epochs=100, dataset_params={"n_samples": 2000, "noise": 0.1}, batch_size=8)
    run_id = rec["id"]
    wait_for(client, run_id, ("running",))
    paused = client.post(f"/api/runs/{run_id}/pause")
    assert paused.status_code == 200
    wait_for(client, run_id, ("paused",))
    r = client.post(f"/api/runs/{run_id}/step", json={"n": 3})
    assert r.status_code == 200
    r = client.patch(f"/api/runs/{run_id}", json={"lr": 0.05, "name": "slower"})
    assert r.status_code == 200 and r.json()["name"] == "slower"
    assert client.post(f"/api/runs/{run_id}/resume").status_code == 200
    wait_for(client, run_id, ("running",))
    assert client.post(f"/api/runs/{run_id}/stop").status_code == 200
    rec = wait_for(client, run_id)
    assert rec["status"] == "stopped"
    assert rec["config"]["lr"] == 0.05


def test_delete(client):
    rec = start_run(client, steps=2)
    wait_for(client, rec["id"])
    assert client.delete(f"/api/runs/{rec['id']}").status_code == 204
    assert client.get(f"/api/runs/{rec['id']}").status_code == 404
    assert client.delete(f"/api/runs/{rec['id']}").status_code == 404


@pytest.mark.parametrize(
    "path, method",
    [("", "get"), ("/pause", "post"), ("/resume", "post"), ("/stop", "post"), ("/step", "post"),
     ("", "delete"), ("/metrics", "get"), ("/export", "get"), ("/predict", "post"),
     ("/activations", "post"), ("/layers/0/weights", "get"), ("/layers/0/filters", "get"),
     ("/decision-grid", "get"), ("/evaluation", "get")],
)
def test_unknown_run_is_404(client, path, method):
    kwargs = {"json": {"input": [0, 0]}} if path in ("/predict", "/activations") else {}
    r = getattr(client, method)(f"/api/runs/r_nope{path}", **kwargs)
    assert r.status_code == 404, r.text
    assert "not found" in r.json()["detail"]


def test_patch_unknown_run(client):
    assert client.patch("/api/runs/r_nope", json={"lr": 0.1}).status_code == 404


BAD_CREATE = [
    ({"dataset": "circle"}, ("body", "spec")),
    ({"spec": MLP_2D}, ("body", "dataset")),
    ({"spec": MLP_2D, "dataset": "imagenet"}, ("body", "dataset")),
    ({"spec": MLP_2D, "dataset": "/etc/passwd.npz"}, ("body", "dataset")),
    ({"spec": MLP_2D, "dataset": "upload:0123456789abcdef"}, ("body", "dataset")),
    ({"spec": MLP_2D, "dataset": "circle", "batch_size": 0}, ("body", "batch_size")),
    ({"spec": MLP_2D, "dataset": "circle", "batch_size": 5000}, ("body", "batch_size")),
    ({"spec": MLP_2D, "dataset": "circle", "epochs": 101}, ("body", "epochs")),
    ({"spec": MLP_2D, "dataset": "circle", "steps": 10**9}, ("body", "steps")),
    ({"spec": MLP_2D, "dataset": "circle", "lr": -1}, ("body", "lr")),
    ({"spec": MLP_2D, "dataset": "circle", "optimizer": "rmsprop"}, ("body", "optimizer")),
    ({"spec": MLP_2D, "dataset": "circle", "lr_schedule": "warmup"}, ("body", "lr_schedule")),
    ({"spec": MLP_2D, "dataset": "circle", "seed": -1}, ("body", "seed")),
    ({"spec": MLP_2D, "dataset": "circle", "colour": "red"}, ("body", "colour")),
    ({"spec": MLP_2D, "dataset": "circle", "dataset_params": {"val_split": 1.5}}, ("body", "dataset_params", "val_split")),
    ({"spec": MLP_2D, "dataset": "circle", "initial_weights": {}}, ("body", "initial_weights")),
    ({"spec": CNN, "dataset": "circle"}, ("body", "spec", "input_shape")),
    ({"spec": {"input_shape": [2], "layers": [{"type": "dense"}]}, "dataset": "circle"}, ("body", "spec", "layers", 0, "units")),
    ({"spec": MLP_2D, "dataset": "circle", "optimizer_params": {"warp": 9}}, ("body", "optimizer_params", "warp")),
]


@pytest.mark.parametrize("body, loc", BAD_CREATE)
def test_create_bad_input(client, body, loc):
    r = client.post("/api/runs", json=body)
    assert r.status_code == 422, r.text
    assert loc in locs(r), locs(r)


def test_create_initial_weights_from_unknown_run(client):
    r = client.post("/api/runs", json={"spec": MLP_2D, "dataset": "circle", "initial_weights": {"run_id": "r_nope"}})
    assert r.status_code in (404, 422)


def test_create_from_finished_run_weights(client, finished):
    rec = start_run(client, steps=2, initial_weights={"run_id": finished["id"]})
    assert wait_for(client, rec["id"])["status"] == "finished"


@pytest.mark.parametrize("body", [{"n": 0}, {"n": "many"}, {"n": 10**9}, {"m": 1}])
def test_step_bad_body(client, finished, body):
    r = client.post(f"/api/runs/{finished['id']}/step", json=body)
    assert r.status_code == 422


@pytest.mark.parametrize("body", [{}, {"lr": 0}, {"lr": "fast"}, {"momentum": 2}, {"speed": 1}])
def test_patch_bad_body(client, finished, body):
    assert client.patch(f"/api/runs/{finished['id']}", json=body).status_code == 422


def _refused_by_the_optimizer():
    from playground.engine.optim import SETTING_CHECKS, Number
    from playground.engine.run_config import TOP_LEVEL_OPTIMIZER_KEYS
    for name, check in SETTING_CHECKS.items():
        if isinstance(check, Number) and name not in TOP_LEVEL_OPTIMIZER_KEYS:
            yield name, check.low if check.low_open else check.low - 0.5
            if check.high is not None:
                yield name, check.high


@pytest.mark.parametrize(("name", "value"), list(_refused_by_the_optimizer()))
def test_patch_refuses_what_the_optimizer_refuses_at_its_field(client, finished, name, value):
    # The PATCH schema's bounds are the optimizer's own checks, read from engine/optim.py.
    r = client.patch(f"/api/runs/{finished['id']}", json={name: value})
    assert r.status_code == 422 and locs(r) == [("body", name)], r.text


def test_an_empty_patch_lists_what_may_change(client, finished):
    msg = client.patch(f"/api/runs/{finished['id']}", json={}).json()["detail"][0]["msg"]
    assert all(k in msg for k in ("lr", "momentum", "nesterov", "beta2", "eps", "steps_per_second", "name")), msg


def test_patch_of_a_running_run_names_the_setting_the_worker_refused(client):
    """The worker's optimizer refuses a setting; the 422 points at it (carried as
    data from engine.optim.SettingError, not found in the message)."""
    rec = start_run(client, epochs=100, dataset_params={"n_samples": 2000, "noise": 0.1}, batch_size=8)
    wait_for(client, rec["id"], ("running",))
    try:
        r = client.patch(f"/api/runs/{rec['id']}", json={"momentum": 0.9})  # sgd has no momentum
        assert r.status_code == 422 and locs(r) == [("body", "momentum")], r.text
        assert "unknown setting 'momentum'" in r.json()["detail"][0]["msg"]
    finally:
        client.delete(f"/api/runs/{rec['id']}")


def test_list_bad_status(client):
    r = client.get("/api/runs", params={"status": "sleeping"})
    assert r.status_code == 422 and locs(r)[0] == ("query", "status")


def test_queue_position_and_queue_full(tmp_path):
    from fastapi.testclient import TestClient

    from api_helpers import make_settings
    from playground.api.app import create_app

    app = create_app(make_settings(tmp_path, max_runs=1, max_queue=1))
    with TestClient(app) as c:
        long = {"dataset_params": {"n_samples": 2000, "noise": 0.1}, "epochs": 100, "batch_size": 8}
        first = start_run(c, **long)
        second = start_run(c, **long)
        assert second["status"] == "queued" and second["queue_position"] == 1
        r = c.post("/api/runs", json={"spec": MLP_2D, "dataset": "circle"})
        assert r.status_code == 429 and "limit" in r.json()["detail"]
        assert c.get("/api/health").json()["runs"] == {"active": 1, "queued": 1}
        assert c.post(f"/api/runs/{second['id']}/stop").status_code == 200
        assert c.post(f"/api/runs/{first['id']}/stop").status_code == 200
        assert wait_for(c, first["id"])["status"] == "stopped"


def test_cosine_schedule_decays_the_lr_of_step_events(client):
    rec = start_run(client, epochs=3, lr_schedule="cosine")
    done = wait_for(client, rec["id"])
    assert done["status"] == "finished" and done["config"]["lr_schedule"] == "cosine"
    points = client.get(f"/api/runs/{rec['id']}/metrics").json()["points"]
    lrs = [p["lr"] for p in points]
    assert lrs[0] > lrs[-1] and lrs[-1] < 0.1 * 0.2
