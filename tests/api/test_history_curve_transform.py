"""Stored snapshot history (GET metrics?kind=snapshot), the fitted curve of 1-D
runs (GET decision-grid) and input transforms for predict - and bad inputs."""

import json

import numpy as np
import pytest
from test_inspect import digit_png

from api_helpers import MLP_2D, MLP_MNIST, finished_run, locs, start_run, wait_for

FIT_1D = {"input_shape": [1], "layers": [{"type": "dense", "units": 16, "activation": "tanh"},
                                         {"type": "dense", "units": 1}], "loss": "mse"}


@pytest.fixture(scope="module")
def toy_run(client):
    return finished_run(client, spec=MLP_2D)


@pytest.fixture(scope="module")
def mnist_run(client):
    return finished_run(client, timeout=90, spec=MLP_MNIST, dataset="mnist", steps=5)


def test_snapshot_history(client, toy_run):
    r = client.get(f"/api/runs/{toy_run['id']}/metrics", params={"kind": "snapshot"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "snapshot" and body["total"] >= 1
    last = body["points"][-1]
    assert last["step"] == toy_run["progress"]["step"]
    assert {layer["index"] for layer in last["layers"]} == {0, 1}
    assert last["layers"][0]["weight"]["hist"]["counts"]
    bad = client.get(f"/api/runs/{toy_run['id']}/metrics", params={"kind": "snapshots"})
    assert bad.status_code == 422


def test_fitted_curve_of_a_1d_run(client, toy_run):
    rec = wait_for(client, start_run(client, spec=FIT_1D, dataset="sin", epochs=5, optimizer="adam", lr=0.02,
                                     dataset_params={"n_samples": 200})["id"])
    assert rec["status"] == "finished", rec["message"]
    r = client.get(f"/api/runs/{rec['id']}/decision-grid", params={"resolution": 120})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "curve" and len(body["curve"]["x"]) == len(body["curve"]["y"]) == 120
    xs = body["curve"]["x"]
    assert xs == sorted(xs) and xs[0] < -1 and xs[-1] > 1  # the data's [-1, 1] plus a margin
    lo, hi = body["y_range"]
    assert lo < -0.9 and hi > 0.9  # spans sin(pi x)
    assert len(body["train"]["x"]) == len(body["train"]["y"]) > 0 and len(body["test"]["x"]) > 0
    assert all(v is not None for v in body["curve"]["y"])
    grid = client.get(f"/api/runs/{toy_run['id']}/decision-grid", params={"resolution": 10}).json()
    assert grid["kind"] == "grid"


def _bar():
    x = np.zeros((28, 28), np.float32)
    x[6:22, 12:15] = 1.0
    return x


def test_predict_with_a_shift(client, mnist_run):
    url = f"/api/runs/{mnist_run['id']}/predict"
    plain = client.post(url, json={"input": _bar().tolist()}).json()
    moved = client.post(url, json={"input": _bar().tolist(), "transform": {"shift": [4, -2]}})
    assert moved.status_code == 200, moved.text
    seen = np.array(moved.json()["input"])
    assert np.allclose(seen, np.roll(np.roll(_bar(), 4, axis=1), -2, axis=0))
    assert not np.allclose(moved.json()["probabilities"], plain["probabilities"])
    turned = client.post(url, json={"input": _bar().tolist(), "transform": {"rotate": 90, "scale": 0.5}}).json()
    ys, xs = np.nonzero(np.array(turned["input"]) > 0.5)
    assert np.ptp(xs) > np.ptp(ys)  # a vertical bar turned a quarter is horizontal


def test_shift_sweep_in_one_call(client, mnist_run):
    sweep = [{"shift": [dx, 0]} for dx in range(-6, 7)]
    r = client.post(f"/api/runs/{mnist_run['id']}/predict", json={"input": _bar().tolist(), "transform": sweep})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["probabilities"]) == 13
    assert np.allclose(np.array(body["input"]), np.roll(_bar(), -6, axis=1))


def test_transform_on_an_uploaded_image(client, mnist_run):
    url = f"/api/runs/{mnist_run['id']}/predict"
    files = {"file": ("d.png", digit_png(), "image/png")}
    plain = np.array(client.post(url, files=files).json()["input"])
    r = client.post(url, files=files, data={"transform": json.dumps([{}, {"shift": [0, 3]}])})
    assert r.status_code == 200, r.text
    assert len(r.json()["probabilities"]) == 2 and np.allclose(r.json()["input"], plain)
    act = client.post(f"/api/runs/{mnist_run['id']}/activations", files=files, data={"transform": json.dumps({"shift": [0, 3]})})
    assert act.status_code == 200 and np.allclose(act.json()["input"], np.roll(plain, 3, axis=0))


def test_bad_transforms(client, mnist_run, toy_run):
    url = f"/api/runs/{mnist_run['id']}/predict"
    x = _bar().tolist()
    for transform in ({"scale": 10}, {"shift": [1]}, {"shift": [40, 0]}, {"spin": 3}, [], [{}] * 65):
        r = client.post(url, json={"input": x, "transform": transform})
        assert r.status_code == 422, (transform, r.text)
        assert all(loc[:2] == ("body", "transform") for loc in locs(r)), locs(r)
    two = client.post(url, json={"input": [x, x], "transform": [{}, {}]})
    assert two.status_code == 422 and locs(two) == [("body", "transform")]
    toy = client.post(f"/api/runs/{toy_run['id']}/predict", json={"input": [0.1, 0.2], "transform": {"rotate": 5}})
    assert toy.status_code == 422 and locs(toy) == [("body", "transform")]
    files = {"file": ("d.png", digit_png(), "image/png")}
    broken = client.post(url, files=files, data={"transform": "{not json"})
    assert broken.status_code == 422 and locs(broken) == [("body", "transform")]
