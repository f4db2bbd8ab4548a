"""POST /api/datasets/upload: a user's .npz becomes a dataset a run can use; size and format limits."""

import io

import numpy as np
import pytest

from api_helpers import DATA_DIR, locs, make_settings, start_run, wait_for


def npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def two_d_set(n=120, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype(np.float32)
    return npz_bytes(x=x, y=(x[:, 0] > 0).astype(np.int64))


def test_upload_and_train(client):
    r = client.post("/api/datasets/upload", files={"file": ("mine.npz", two_d_set())})
    assert r.status_code == 201, r.text
    info = r.json()
    assert info["name"].startswith("upload:") and info["uploaded"] is True
    assert info["input_shape"] == [2] and info["num_classes"] == 2 and info["train_size"] == 120
    assert info["name"] in [d["name"] for d in client.get("/api/datasets").json()]
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 2}]}
    rec = start_run(client, spec=spec, dataset=info["name"], epochs=2)
    assert wait_for(client, rec["id"])["status"] == "finished"
    bad = {"input_shape": [3], "layers": [{"type": "dense", "units": 2}]}
    r = client.post("/api/runs", json={"spec": bad, "dataset": info["name"]})
    assert r.status_code == 422 and ("body", "spec", "input_shape") in locs(r)


@pytest.mark.parametrize(
    "data",
    [b"not a zip", npz_bytes(a=np.zeros(3)), npz_bytes(x=np.zeros((4, 2)), y=np.zeros(3, np.int64)),
     npz_bytes(x=np.array(["a", "b"]), y=np.zeros(2, np.int64))],
)
def test_upload_bad_files(client, data):
    r = client.post("/api/datasets/upload", files={"file": ("bad.npz", data)})
    assert r.status_code == 400, r.text
    assert "not a usable dataset" in r.json()["detail"]


def test_upload_pickle_is_refused(client):
    obj = np.array([{"evil": 1}, None], dtype=object)
    r = client.post("/api/datasets/upload", files={"file": ("p.npz", npz_bytes(x=obj, y=np.zeros(2, np.int64)))})
    assert r.status_code == 400


def test_upload_missing_or_empty(client):
    assert client.post("/api/datasets/upload").status_code == 422
    r = client.post("/api/datasets/upload", files={"file": ("e.npz", b"")})
    assert r.status_code == 422 and locs(r) == [("body", "file")]


def test_upload_too_large(tmp_path):
    pytest.importorskip("playground.runs.manager")
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    app = create_app(make_settings(tmp_path, data_dir=DATA_DIR, max_upload_bytes=1000))
    with TestClient(app) as c:
        big = two_d_set(n=2000)
        assert c.post("/api/datasets/upload", files={"file": ("big.npz", big)}).status_code == 413
        r = c.post("/api/models/import", files={"file": ("big.zip", big)})
        assert r.status_code == 413
        small = two_d_set(n=10)
        assert len(small) < 1000
        assert c.post("/api/datasets/upload", files={"file": ("s.npz", small)}).status_code == 201


def test_chunked_body_over_the_limit_is_413(tmp_path):
    """No Content-Length: the guard counts the streamed body."""
    pytest.importorskip("playground.runs.manager")
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    app = create_app(make_settings(tmp_path, data_dir=DATA_DIR, max_upload_bytes=1000))

    def chunks():
        for _ in range(200):
            yield b"x" * 1024

    with TestClient(app) as c:
        r = c.post("/api/models/validate", content=chunks(), headers={"content-type": "application/json"})
        assert r.status_code == 413
