"""GET /api/runs/{id}/export?format=zip|onnx|pytorch and GET /api/models/{id}/export?format=...:
the downloads compute what the engine computes, and the bad cases (unknown id,
bad format, no weights yet, a layer the format lacks, onnx missing) are 4xx/501."""

from __future__ import annotations

import io
import json
import sys
import zipfile

import numpy as np
import pytest
from export_helpers import TOL

from api_helpers import finished_run, make_settings, start_run
from playground.engine.model import build_model
from playground.engine.weights_io import read_npz


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    # One worker slot, so a second run waits in the queue without weights.
    settings = make_settings(tmp_path_factory.mktemp("home"), max_runs=1, max_queue=4)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="module")
def run(client):
    return finished_run(client)


@pytest.fixture(scope="module")
def engine_model(client, run):
    """The run's model rebuilt from today's zip export (which must be unchanged)."""
    r = client.get(f"/api/runs/{run['id']}/export")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert {"spec.json", "weights.npz", "metrics.json", "run.json"} <= set(z.namelist())
    model = build_model(json.loads(z.read("spec.json")), seed=0)
    model.load_state_dict(read_npz(io.BytesIO(z.read("weights.npz"))))
    assert client.get(f"/api/runs/{run['id']}/export", params={"format": "zip"}).content == r.content
    return model


X = np.random.default_rng(0).normal(0, 1, (16, 2)).astype(np.float32)


def _check_onnx(content: bytes, model) -> None:
    ort = pytest.importorskip("onnxruntime")
    session = ort.InferenceSession(content, providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(["probabilities"], {"input": X})[0], model.predict_proba(X),
                               atol=TOL, rtol=0)


def test_run_as_onnx(client, run, engine_model):
    r = client.get(f"/api/runs/{run['id']}/export", params={"format": "onnx"})
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == f'attachment; filename="run-{run["id"]}.onnx"'
    _check_onnx(r.content, engine_model)


def test_run_as_pytorch(client, run, engine_model, tmp_path):
    torch = pytest.importorskip("torch")
    r = client.get(f"/api/runs/{run['id']}/export", params={"format": "pytorch", "which": "best"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].endswith(f'filename="run-{run["id"]}-pytorch.zip"')
    zipfile.ZipFile(io.BytesIO(r.content)).extractall(tmp_path)
    sys.path.insert(0, str(tmp_path))
    try:
        import model as exported  # the zip's model.py, as a student imports it
        net = exported.load()
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("model", None)
    with torch.no_grad():
        got = net(torch.from_numpy(X)).softmax(dim=1).numpy()
    np.testing.assert_allclose(got, engine_model.predict_proba(X), atol=TOL, rtol=0)


def test_unknown_run_is_404(client):
    for fmt in ("onnx", "pytorch", "zip"):
        r = client.get("/api/runs/r_nope/export", params={"format": fmt})
        assert r.status_code == 404 and "r_nope" in r.json()["detail"]


def test_bad_format_is_422_naming_the_field(client, run):
    r = client.get(f"/api/runs/{run['id']}/export", params={"format": "tflite"})
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["loc"] == ["query", "format"] and "onnx" in item["msg"]


def test_run_without_weights_yet_is_409(client, run):
    busy = start_run(client, epochs=100, batch_size=8, dataset_params={"n_samples": 2000, "noise": 0.1})
    queued = start_run(client)
    try:
        assert client.get(f"/api/runs/{queued['id']}").json()["status"] == "queued"
        for fmt in ("onnx", "pytorch"):
            r = client.get(f"/api/runs/{queued['id']}/export", params={"format": fmt})
            assert r.status_code == 409, r.text
            assert "no weights yet" in r.json()["detail"]
    finally:
        for rec in (queued, busy):
            client.delete(f"/api/runs/{rec['id']}")


def test_a_layer_the_format_lacks_is_422_naming_it(client, run, monkeypatch):
    from playground.export import onnx_export

    monkeypatch.delitem(onnx_export.EMITTERS, "dense")
    r = client.get(f"/api/runs/{run['id']}/export", params={"format": "onnx"})
    assert r.status_code == 422
    (item,) = r.json()["detail"]
    assert item["loc"] == ["query", "format"] and "layer 0 (dense)" in item["msg"]


def test_missing_onnx_package_is_501(client, run, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    r = client.get(f"/api/runs/{run['id']}/export", params={"format": "onnx"})
    assert r.status_code == 501 and "nn-playground[export]" in r.json()["detail"]


def test_imported_model_exports(client, run, engine_model):
    zipped = client.get(f"/api/runs/{run['id']}/export").content
    r = client.post("/api/models/import", files={"file": ("run.zip", zipped, "application/zip")},
                    data={"name": "circle net"})
    assert r.status_code == 201, r.text
    model_id = r.json()["id"]
    onnx_file = client.get(f"/api/models/{model_id}/export", params={"format": "onnx"})
    assert onnx_file.status_code == 200
    assert onnx_file.headers["content-disposition"].endswith(f'filename="model-{model_id}.onnx"')
    _check_onnx(onnx_file.content, engine_model)
    torch_zip = client.get(f"/api/models/{model_id}/export", params={"format": "pytorch"})
    assert "model.py" in zipfile.ZipFile(io.BytesIO(torch_zip.content)).namelist()
    # the default zip goes back in through import, under the same name
    again = client.get(f"/api/models/{model_id}/export")
    assert again.status_code == 200 and again.headers["content-type"] == "application/zip"
    r = client.post("/api/models/import", files={"file": ("m.zip", again.content, "application/zip")})
    assert r.status_code == 201 and r.json()["name"] == "circle net"
    assert client.get(f"/api/models/{model_id}/export", params={"format": "keras"}).status_code == 422
    assert client.get("/api/models/m_nope/export", params={"format": "onnx"}).status_code == 404
