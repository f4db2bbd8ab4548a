"""POST /api/models/validate: shapes, params, formulas; 422 naming the layer and field; limits."""

import pytest

from api_helpers import CNN, locs


def test_validate_cnn(client):
    r = client.post("/api/models/validate", json={"spec": CNN})
    assert r.status_code == 200
    body = r.json()
    assert [layer["output_shape"] for layer in body["layers"]] == [[28, 28, 4], [28, 28, 4], [14, 14, 4], [784], [10]]
    assert body["layers"][0]["params"] == 5 * 5 * 4 + 4
    assert body["total_params"] == 104 + 784 * 10 + 10
    assert body["layers"][0]["detail"]["formula"] == "(28 - 5 + 2*2)/1 + 1 = 28"


def test_kernel_larger_than_input_names_layer_and_field(client):
    spec = {"input_shape": [5, 5, 1], "layers": [{"type": "flatten"}, {"type": "dense", "units": 2}]}
    spec["layers"].insert(0, {"type": "conv2d", "filters": 2, "kernel_size": 7})
    r = client.post("/api/models/validate", json={"spec": spec})
    assert r.status_code == 422
    assert locs(r) == [("body", "spec", "layers", 0, "kernel_size")]
    assert "layer 0 (conv2d)" in r.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    "spec, loc",
    [
        ({"input_shape": [2], "layers": [{"type": "dense", "units": -3}]}, ("body", "spec", "layers", 0, "units")),
        ({"input_shape": [2], "layers": [{"type": "nope"}]}, ("body", "spec", "layers", 0, "type")),
        ({"input_shape": [2], "layers": [{"type": "dense", "units": 2, "colour": 1}]}, ("body", "spec", "layers", 0, "colour")),
        ({"input_shape": "big", "layers": []}, ("body", "spec", "input_shape")),
        ({"input_shape": [2], "layers": [{"type": "dense", "units": 2}], "loss": "hinge"}, ("body", "spec", "loss")),
    ],
)
def test_bad_specs(client, spec, loc):
    r = client.post("/api/models/validate", json={"spec": spec})
    assert r.status_code == 422, r.text
    assert locs(r)[0] == loc


@pytest.mark.parametrize("body", [{}, {"spec": []}, {"spec": "x"}, [], None])
def test_malformed_body(client, body):
    r = client.post("/api/models/validate", json=body)
    assert r.status_code == 422
    assert locs(r)[0][0] == "body"


def test_not_json(client):
    r = client.post("/api/models/validate", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_too_many_layers(client):
    spec = {"input_shape": [2], "layers": [{"type": "relu"}] * 51 + [{"type": "dense", "units": 2}]}
    r = client.post("/api/models/validate", json={"spec": spec})
    assert r.status_code == 422 and locs(r) == [("body", "spec", "layers")]
    assert "limit is 50" in r.json()["detail"][0]["msg"]


def test_too_many_params(client):
    spec = {"input_shape": [28, 28, 1], "layers": [{"type": "flatten"}, {"type": "dense", "units": 8000}]}
    r = client.post("/api/models/validate", json={"spec": spec})
    assert r.status_code == 422 and locs(r) == [("body", "spec", "layers")]
    assert "parameters" in r.json()["detail"][0]["msg"]
