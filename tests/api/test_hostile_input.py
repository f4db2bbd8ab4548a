"""Hostile requests found by an adversarial pass: each is a 4xx naming the
field (never a 500), and the server keeps serving afterwards."""

from __future__ import annotations

import io
import json

import numpy as np

from api_helpers import MLP_2D, start_run, wait_for

SIN_MLP = {"input_shape": [1], "layers": [{"type": "dense", "units": 8, "activation": "tanh"}, {"type": "dense", "units": 1}],
           "loss": "mse"}


def _post_raw(client, url, text):
    return client.post(url, content=text.encode(), headers={"content-type": "application/json"})


def _locs(r):
    return [tuple(e["loc"]) for e in r.json()["detail"]]


def _healthy(client):
    assert client.get("/api/health").status_code == 200


def test_nan_in_a_json_field_is_422_not_500(client):
    # FastAPI's own handler echoes the input (NaN) back and fails to render it.
    for url, text in [("/api/runs", '{"spec": NaN, "dataset": "circle", "lr": NaN}'),
                      ("/api/runs", '{"spec": {}, "dataset": "circle", "lr": Infinity}'),
                      ("/api/labs/softmax", '{"logits": [NaN, 1.0]}')]:
        r = _post_raw(client, url, text)
        assert r.status_code == 422, r.text
        assert all("input" not in e for e in r.json()["detail"])
    _healthy(client)


def test_huge_offsets_are_422(client):
    run = start_run(client)
    for url, field in [("/api/runs?offset=10000000000000000000000", "offset"),
                       (f"/api/runs/{run['id']}/metrics?since_step=10000000000000000000000", "since_step"),
                       (f"/api/runs/{run['id']}/metrics?offset=10000000000000000000000", "offset")]:
        r = client.get(url)
        assert r.status_code == 422 and ("query", field) in _locs(r), r.text


def test_optimizer_params_cannot_repeat_top_level_settings(client):
    body = {"spec": MLP_2D, "dataset": "circle", "optimizer_params": {"lr": 1.0}}
    r = client.post("/api/runs", json=body)
    assert r.status_code == 422 and ("body", "optimizer_params", "lr") in _locs(r), r.text


def test_loss_must_fit_the_dataset(client):
    cases = [({**MLP_2D, "loss": "mse"}, "circle", ("body", "spec", "loss")),
             ({**SIN_MLP, "loss": "softmax_cross_entropy",
               "layers": [{"type": "dense", "units": 2}]}, "sin", ("body", "spec", "loss")),
             ({**SIN_MLP, "layers": [{"type": "dense", "units": 3}]}, "sin", ("body", "spec", "layers", 0))]
    for spec, dataset, loc in cases:
        r = client.post("/api/runs", json={"spec": spec, "dataset": dataset, "steps": 2})
        assert r.status_code == 422 and loc in _locs(r), r.text


def test_predict_with_deeply_nested_json_is_422(client):
    run = wait_for(client, start_run(client)["id"])
    deep = "[" * 100_000 + "]" * 100_000
    for text in [deep, '{"input": ' + deep + "}"]:
        r = _post_raw(client, f"/api/runs/{run['id']}/predict", text)
        assert r.status_code == 422, r.text
    _healthy(client)


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def test_upload_with_a_huge_label_is_400(client):
    # Label 10**9 meant a billion classes: the server built their names and was OOM-killed.
    data = _npz(x=np.zeros((20, 2), np.float32), y=np.array([0, 1] * 9 + [0, 10**9]))
    r = client.post("/api/datasets/upload", files={"file": ("d.npz", data)})
    assert r.status_code == 400 and "at most 1000 classes" in r.json()["detail"], r.text
    assert "/" not in r.json()["detail"].split(":", 1)[1]  # no server path in the message


def test_upload_whose_header_promises_more_than_it_holds_is_400(client):
    import zipfile

    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 1000000), }"
    header = header + " " * (118 - len(header)) + "\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("x.npy", b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + b"\0" * 64)
        z.writestr("y.npy", b"")
    r = client.post("/api/datasets/upload", files={"file": ("d.npz", buf.getvalue())})
    assert r.status_code == 400 and "declares shape" in r.json()["detail"], r.text


def test_import_checks_the_spec_against_the_limits_and_nesting(client):
    import zipfile

    from playground.runs.export import build_zip

    weights = _npz(**{"layers.0.weight": np.zeros((2, 2), np.float32)})
    huge = {"input_shape": [784], "layers": [{"type": "dense", "units": 2_000_000}, {"type": "dense", "units": 10}]}
    r = client.post("/api/models/import", files={"file": ("m.zip", build_zip(huge, weights, {}, {}, {}))})
    assert r.status_code == 422 and "limit" in r.json()["detail"][0]["msg"], r.text
    for member in ("spec.json", "metrics.json"):
        buf = io.BytesIO()
        members = {"spec.json": json.dumps(MLP_2D), "weights.npz": weights, member: "[" * 100_000 + "]" * 100_000}
        with zipfile.ZipFile(buf, "w") as z:
            for name, content in members.items():
                z.writestr(name, content)
        r = client.post("/api/models/import", files={"file": ("m.zip", buf.getvalue())})
        assert r.status_code == 400 and "nested too deeply" in r.json()["detail"], r.text
    _healthy(client)


def test_batch_memory_limit_names_batch_size(client):
    wide_cnn = {"input_shape": [28, 28, 1],
                "layers": [{"type": "conv2d", "filters": 256, "kernel_size": 3, "padding": "same"}, {"type": "relu"},
                           {"type": "conv2d", "filters": 256, "kernel_size": 3, "padding": "same"},
                           {"type": "flatten"}, {"type": "dense", "units": 10}]}
    r = client.post("/api/runs", json={"spec": wide_cnn, "dataset": "mnist", "batch_size": 4096, "steps": 1})
    assert r.status_code == 422 and ("body", "batch_size") in _locs(r), r.text
    assert "use batch_size <=" in r.json()["detail"][0]["msg"]
    assert client.get("/api/health").json()["limits"]["max_batch_bytes"] == 2 * 1024**3


def test_patch_error_names_the_key_of_the_patch_body(client):
    run = start_run(client, epochs=100, optimizer="sgd")
    assert client.post(f"/api/runs/{run['id']}/pause").status_code == 200
    r = client.patch(f"/api/runs/{run['id']}", json={"momentum": 0.5})
    client.delete(f"/api/runs/{run['id']}")
    assert r.status_code == 422 and _locs(r) == [("body", "momentum")], r.text


def test_predict_body_with_too_many_numbers_is_refused_before_parsing(client):
    run = wait_for(client, start_run(client)["id"])
    body = '{"input": [' + ",".join(["[0.5,0.5]"] * 1500) + "]}"
    r = _post_raw(client, f"/api/runs/{run['id']}/predict", body)
    assert r.status_code == 422 and _locs(r) == [("body", "input")], r.text
    assert "about 3,000 numbers" in r.text  # the count before parsing, not the parsed batch
    ok = _post_raw(client, f"/api/runs/{run['id']}/predict", '{"input": [' + ",".join(["[0.5,0.5]"] * 1024) + "]}")
    assert ok.status_code == 200 and len(ok.json()["probabilities"]) == 1024


def test_run_whose_upload_was_deleted(client, home):
    rng = np.random.default_rng(0)
    data = _npz(x=rng.normal(size=(100, 2)).astype(np.float32), y=np.arange(100) % 2)
    name = client.post("/api/datasets/upload", files={"file": ("d.npz", data)}).json()["name"]
    run = wait_for(client, start_run(client, dataset=name)["id"])
    for path in (home / "uploads").glob(name.split(":")[1] + ".*"):
        path.unlink()
    r = client.get(f"/api/runs/{run['id']}/evaluation")
    assert r.status_code == 409 and "file not found" in r.json()["detail"] and "uploads" not in r.json()["detail"], r.text
    r = client.post("/api/runs", json={"spec": MLP_2D, "dataset": name})
    assert r.status_code == 422 and ("body", "dataset") in _locs(r)
    _healthy(client)
