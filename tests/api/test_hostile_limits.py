"""Issue 13, "no one request takes the room down": size limits on specs,
ids that could name other files, npz members without the .npy suffix, strict
lab numbers, documented statuses and the limits in the OpenAPI schema. Each
case was a 200/201 or a 500 before its fix."""

from __future__ import annotations

import io

import numpy as np
import pytest

from api_helpers import MLP_2D, locs, start_run, wait_for
from benchmarks.hostile import lying_npz
from playground.runs.export import build_zip

HUGE_INPUTS = [[40000, 40000, 1], [10**9, 10**9, 1]]


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _import(client, spec, weights=None):
    data = build_zip(spec, weights if weights is not None else _npz(), {}, {}, {})
    return client.post("/api/models/import", files={"file": ("m.zip", data)})


@pytest.mark.parametrize("shape", HUGE_INPUTS)
def test_a_huge_input_is_422_at_validate_create_and_import(client, shape):
    spec = {"input_shape": shape, "layers": [{"type": "flatten"}]}
    r = client.post("/api/models/validate", json={"spec": spec})
    assert r.status_code == 422 and locs(r) == [("body", "spec", "input_shape")], r.text
    assert "values per sample; the limit is 1,048,576" in r.text
    r = client.post("/api/runs", json={"spec": spec, "dataset": "mnist", "steps": 1})
    assert r.status_code == 422 and locs(r) == [("body", "spec", "input_shape")], r.text
    r = _import(client, spec)
    assert r.status_code == 422 and locs(r) == [("body", "file")], r.text
    assert "spec.json: input_shape" in r.json()["detail"][0]["msg"]


def test_the_largest_activation_is_bounded_and_named_by_its_layer(client):
    # A 1000x1000 input is allowed; 64 filters on it hold 64 M values per sample.
    spec = {"input_shape": [1000, 1000, 1],
            "layers": [{"type": "conv2d", "filters": 64, "kernel_size": 3, "padding": "same"},
                       {"type": "maxpool2d", "pool_size": 1000}, {"type": "flatten"}, {"type": "dense", "units": 2}]}
    r = client.post("/api/models/validate", json={"spec": spec})
    assert r.status_code == 422 and locs(r) == [("body", "spec", "layers", 0)], r.text
    assert "layer 0 (conv2d) holds 64,000,000 values per sample" in r.text
    r = _import(client, spec)
    assert r.status_code == 422 and "layer 0 (conv2d)" in r.text, r.text


def test_the_size_limits_are_settings_shown_in_health(client):
    limits = client.get("/api/health").json()["limits"]
    assert limits["max_input_size"] == 1024 * 1024 and limits["max_activation_size"] == 4 * 1024 * 1024
    assert limits["max_inspections"] >= 1


def test_png_predict_never_allocates_more_than_the_validated_input(client):
    # 100,000 values per sample pass the input limit; preprocessing to a square
    # of side 100,000 would be 40 GB. The shape is refused before any pixel is made.
    spec = {"input_shape": [100000, 1, 1], "layers": [{"type": "flatten"}, {"type": "dense", "units": 2}]}
    weights = _npz(**{"layers.1.weight": np.zeros((100000, 2), np.float32),
                      "layers.1.bias": np.zeros(2, np.float32)})
    r = _import(client, spec, weights)
    assert r.status_code == 201, r.text
    png = io.BytesIO()
    from PIL import Image

    Image.new("L", (8, 8), 255).save(png, format="PNG")
    r = client.post(f"/api/models/{r.json()['id']}/predict", files={"file": ("d.png", png.getvalue(), "image/png")})
    assert r.status_code == 422 and locs(r) == [("body", "file")] and "square" in r.text, r.text


def test_initial_weights_ids_cannot_name_other_files(client, home):
    done = wait_for(client, start_run(client)["id"])
    traversal = f"../runs/{done['id']}/checkpoints/latest"
    for key, value in [("model_id", traversal), ("run_id", traversal), ("run_id", "/etc"),
                       ("model_id", "m_../../x"), ("run_id", str(home))]:
        body = {"spec": MLP_2D, "dataset": "circle", "steps": 2, "initial_weights": {key: value}}
        r = client.post("/api/runs", json=body)
        assert r.status_code == 422 and locs(r) == [("body", "initial_weights", key)], (key, value, r.text)
        assert str(home) not in r.text
    # A well-formed id of nothing is still a 422 there, and no path in its message.
    r = client.post("/api/runs", json={"spec": MLP_2D, "dataset": "circle", "steps": 2,
                                       "initial_weights": {"model_id": "m_0123456789"}})
    assert r.status_code == 422 and locs(r) == [("body", "initial_weights", "model_id")], r.text
    ok = client.post("/api/runs", json={"spec": MLP_2D, "dataset": "circle", "steps": 2,
                                        "initial_weights": {"run_id": done["id"]}})
    assert ok.status_code == 201, ok.text


def test_the_manager_checks_the_id_pattern_too(client):
    from playground.runs.config import normalize
    from playground.runs.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        normalize({"spec": MLP_2D, "dataset": "circle", "initial_weights": {"model_id": "../runs/r_1/x"}})
    assert err.value.field == ("initial_weights", "model_id")


def test_a_lying_header_without_the_npy_suffix_is_refused_on_upload_and_import(client):
    # np.load reads member "x" as array "x" all the same (100 GB claimed).
    data = lying_npz("x")
    r = client.post("/api/datasets/upload", files={"file": ("d.npz", data)})
    assert r.status_code == 400 and "declares shape" in r.json()["detail"], r.text
    r = _import(client, MLP_2D, lying_npz("layers.0.weight"))
    assert r.status_code == 422 and "declares shape" in r.text, r.text
    assert client.get("/api/health").status_code == 200


def test_booleans_are_not_numbers_in_labs(client):
    for url, body, field in [("/api/labs/descent", {"lr": True}, "lr"),
                             ("/api/labs/descent", {"steps": True}, "steps"),
                             ("/api/labs/softmax", {"logits": [True, False]}, "logits"),
                             ("/api/labs/vectorize", {"size": False}, "size")]:
        r = client.post(url, json=body)
        assert r.status_code == 422 and field in {e["loc"][1] for e in r.json()["detail"]}, (url, r.text)
    assert client.post("/api/labs/descent", json={"lr": 1, "steps": 5}).status_code == 200


def test_resuming_a_running_run_is_409(client):
    run = start_run(client, epochs=100)
    try:
        wait_for(client, run["id"], ("running",))
        r = client.post(f"/api/runs/{run['id']}/resume")
        assert r.status_code == 409 and "it is running" in r.json()["detail"], r.text
    finally:
        client.delete(f"/api/runs/{run['id']}")


def test_eval_metrics_are_served(client):
    run = wait_for(client, start_run(client)["id"])
    r = client.get(f"/api/runs/{run['id']}/metrics?kind=eval")
    assert r.status_code == 200 and r.json()["kind"] == "eval", r.text


def test_openapi_states_the_limits_of_this_server(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    create = schemas["RunCreate"]["properties"]
    assert create["batch_size"]["maximum"] == 4096 and create["epochs"]["maximum"] == 100
    assert create["steps"]["anyOf"][0]["maximum"] == 1_000_000
    assert schemas["StepRequest"]["properties"]["n"]["maximum"] == 1_000_000
    assert schemas["DescentRequest"]["properties"]["lr"]["maximum"] == 5


def test_booleans_are_not_numbers_in_run_bodies(client):
    for body, field in [({"batch_size": True}, "batch_size"), ({"lr": True}, "lr"),
                        ({"dataset_params": {"noise": True}}, "dataset_params")]:
        r = client.post("/api/runs", json={"spec": MLP_2D, "dataset": "circle", "steps": 2, **body})
        assert r.status_code == 422 and field in {e["loc"][1] for e in r.json()["detail"]}, r.text
