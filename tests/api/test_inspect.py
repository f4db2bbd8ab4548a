"""Predict, activations, weights, filters, decision grid, evaluation, export/import - and bad inputs."""

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from api_helpers import CNN, MLP_MNIST, finished_run, locs, start_run, wait_for


@pytest.fixture(scope="module")
def cnn_run(client):
    return finished_run(client, timeout=90, spec=CNN, dataset="mnist", steps=30, batch_size=32)


@pytest.fixture(scope="module")
def toy_run(client):
    return finished_run(client)


def digit_png(invert=False, size=(90, 60), mode="L"):
    img = np.full((size[1], size[0]), 255, np.uint8)
    img[15:75, 25:35] = 0
    if invert:
        img = 255 - img
    buf = io.BytesIO()
    Image.fromarray(img).convert(mode).save(buf, format="PNG")
    return buf.getvalue()


def test_predict_one_image_array(client, cnn_run):
    x = np.zeros((28, 28)).tolist()
    r = client.post(f"/api/runs/{cnn_run['id']}/predict", json={"input": x})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["probabilities"]) == 1 and len(body["probabilities"][0]) == 10
    assert sum(body["probabilities"][0]) == pytest.approx(1, abs=1e-4)
    assert np.array(body["input"]).shape == (28, 28)


def test_predict_batch_with_channel(client, cnn_run):
    x = np.random.default_rng(0).random((3, 28, 28, 1)).tolist()
    body = client.post(f"/api/runs/{cnn_run['id']}/predict", json={"input": x}).json()
    assert len(body["predictions"]) == 3


@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
def test_predict_image_upload(client, cnn_run, mode):
    r = client.post(f"/api/runs/{cnn_run['id']}/predict", files={"file": ("d.png", digit_png(mode=mode), "image/png")})
    assert r.status_code == 200, r.text
    seen = np.array(r.json()["input"])
    assert seen.shape == (28, 28) and seen.max() > 0.5 and seen[0].max() == 0


def test_predict_best_checkpoint(client, cnn_run):
    r = client.post(f"/api/runs/{cnn_run['id']}/predict", params={"which": "best"}, json={"input": np.zeros((28, 28)).tolist()})
    assert r.status_code in (200, 409)


@pytest.mark.parametrize(
    "body",
    [{"input": [[1, 2], [3]]}, {"input": np.zeros((27, 28)).tolist()}, {"input": []}, {"input": "digit"},
     {"input": [[None] * 28] * 28}, {"x": []}, {}, [1, 2]],
)
def test_predict_bad_json(client, cnn_run, body):
    r = client.post(f"/api/runs/{cnn_run['id']}/predict", json=body)
    assert r.status_code == 422, r.text
    assert locs(r)[0][0] == "body"


def test_predict_bad_content(client, cnn_run):
    url = f"/api/runs/{cnn_run['id']}/predict"
    assert client.post(url, content=b"{", headers={"content-type": "application/json"}).status_code == 422
    assert client.post(url, files={"file": ("x.png", b"not an image", "image/png")}).status_code == 400
    assert client.post(url, files={"other": ("x.png", digit_png(), "image/png")}).status_code == 422
    assert client.post(url, content=b"abc", headers={"content-type": "text/plain"}).status_code == 415
    too_many = np.zeros((1025, 2)).tolist()
    assert client.post(url, json={"input": too_many}).status_code == 422


def test_predict_image_on_2d_model_is_422(client, toy_run):
    r = client.post(f"/api/runs/{toy_run['id']}/predict", files={"file": ("d.png", digit_png(), "image/png")})
    assert r.status_code == 422 and locs(r) == [("body", "file")]


def test_activations(client, cnn_run):
    r = client.post(f"/api/runs/{cnn_run['id']}/activations", params={"top_k": 2},
                    files={"file": ("d.png", digit_png(invert=True), "image/png")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [layer["type"] for layer in body["layers"]] == ["conv2d", "relu", "maxpool2d", "flatten", "dense"]
    assert np.array(body["layers"][0]["maps"]).shape == (4, 28, 28)
    assert len(body["layers"][0]["top"]) == 2
    assert len(body["layers"][4]["values"]) == 10
    assert body["prediction"] == int(np.argmax(body["probabilities"]))
    assert client.post(f"/api/runs/{cnn_run['id']}/activations", params={"top_k": -1},
                       json={"input": np.zeros((28, 28)).tolist()}).status_code == 422


def test_weights_and_filters(client, cnn_run):
    base = f"/api/runs/{cnn_run['id']}/layers"
    w = client.get(f"{base}/0/weights").json()
    assert w["weight_shape"] == [5, 5, 1, 4] and w["bias_shape"] == [4]
    assert w["stats"]["weight"]["norm"] > 0
    dense = client.get(f"{base}/4/weights").json()
    assert dense["weight_shape"] == [784, 10] and dense["images"] is None
    f = client.get(f"{base}/0/filters").json()
    assert np.array(f["filters"]).shape == (4, 5, 5) and len(f["raw_range"]) == 4
    png = client.get(f"{base}/0/filters", params={"format": "png", "scale": 4})
    assert png.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size == (2 * 21 + 1, 2 * 21 + 1)
    # viz/inspection.py's NoSuchLayer, mapped by api/errors.py to a 404 with its message
    none = client.get(f"{base}/1/weights")
    assert none.status_code == 404 and none.json() == {"detail": "layer 1 (relu) has no weights"}
    not_conv = client.get(f"{base}/4/filters")
    assert not_conv.status_code == 404 and not_conv.json() == {"detail": "layer 4 (dense) is not a conv2d layer"}
    missing = client.get(f"{base}/9/weights")
    assert missing.status_code == 404 and missing.json()["detail"].startswith("layer 9 does not exist")
    assert client.get(f"{base}/-1/weights").status_code == 404
    assert client.get(f"{base}/x/weights").status_code == 422
    assert client.get(f"{base}/0/filters", params={"format": "gif"}).status_code == 422


def test_first_dense_weight_images(client):
    rec = wait_for(client, start_run(client, spec=MLP_MNIST, dataset="mnist", steps=5)["id"], timeout=90)
    body = client.get(f"/api/runs/{rec['id']}/layers/1/weights", params={"max_units": 3}).json()
    assert np.array(body["images"]).shape == (3, 28, 28)


def test_decision_grid(client, toy_run, cnn_run):
    r = client.get(f"/api/runs/{toy_run['id']}/decision-grid", params={"resolution": 10})
    assert r.status_code == 200, r.text
    body = r.json()
    assert np.array(body["probabilities"]).shape == (10, 10)
    assert len(body["train"]["x"]) == len(body["train"]["y"]) > 0 and len(body["test"]["x"]) > 0
    assert client.get(f"/api/runs/{cnn_run['id']}/decision-grid").status_code == 409
    assert client.get(f"/api/runs/{toy_run['id']}/decision-grid", params={"resolution": 1000}).status_code == 422


def test_evaluation(client, cnn_run):
    body = client.get(f"/api/runs/{cnn_run['id']}/evaluation").json()
    conf = np.array(body["confusion"])
    assert conf.shape == (10, 10) and conf.sum() == 10000
    assert body["accuracy"] == pytest.approx(np.trace(conf) / 10000)
    gap = body["largest_gap"]
    pcs = body["per_class_accuracy"]
    assert gap["gap"] == pytest.approx(pcs[gap["best"]] - pcs[gap["worst"]])
    wrong = body["misclassified"][0]
    assert np.array(wrong["image"]).shape == (28, 28) and wrong["label"] != wrong["prediction"]
    # One evaluation: the page's numbers are the trainer's own for the same weights.
    final = client.get(f"/api/runs/{cnn_run['id']}").json()["final"]["test"]
    assert body["loss"] == pytest.approx(final["loss"], rel=1e-6)
    assert body["accuracy"] == pytest.approx(final["accuracy"])
    assert "thresholds" not in final  # the threshold table is the Evaluate view's, not every record's
    # False positives per class at each confidence threshold: at 0 the confusion matrix's columns,
    # then fewer as the threshold rises.
    table = body["thresholds"]
    fp, tp = np.array(table["false_positives"]), np.array(table["true_positives"])
    assert fp.shape == tp.shape == (10, len(table["thresholds"]))
    assert list(fp[:, 0]) == list(conf.sum(axis=0) - np.diag(conf)) and list(tp[:, 0]) == list(np.diag(conf))
    assert np.all(np.diff(fp, axis=1) <= 0) and np.all(np.diff(tp, axis=1) <= 0)
    assert list(np.array(table["positives"]) + table["negatives"]) == [10000] * 10


def test_export_import_and_model_endpoints(client, cnn_run):
    z = client.get(f"/api/runs/{cnn_run['id']}/export")
    assert z.status_code == 200 and z.headers["content-type"] == "application/zip"
    names = set(zipfile.ZipFile(io.BytesIO(z.content)).namelist())
    assert {"spec.json", "weights.npz", "metrics.json", "run.json"} <= names
    r = client.post("/api/models/import", files={"file": ("run.zip", z.content, "application/zip")}, data={"name": "lenet"})
    assert r.status_code == 201, r.text
    model = r.json()
    assert model["name"] == "lenet" and model["spec"]["input_shape"] == [28, 28, 1]
    assert model["id"] in [m["id"] for m in client.get("/api/models").json()]
    assert client.get(f"/api/models/{model['id']}").json()["id"] == model["id"]
    x = {"input": np.zeros((28, 28)).tolist()}
    mine = client.post(f"/api/models/{model['id']}/predict", json=x).json()
    theirs = client.post(f"/api/runs/{cnn_run['id']}/predict", json=x).json()
    assert np.allclose(mine["probabilities"], theirs["probabilities"], atol=1e-6)
    assert client.post(f"/api/models/{model['id']}/activations", json=x).status_code == 200
    assert client.get(f"/api/models/{model['id']}/layers/0/filters").status_code == 200
    assert client.get(f"/api/models/{model['id']}/layers/0/weights").status_code == 200
    rec = start_run(client, spec=CNN, dataset="mnist", steps=2, initial_weights={"model_id": model["id"]})
    assert wait_for(client, rec["id"], timeout=90)["status"] == "finished"
    assert client.delete(f"/api/models/{model['id']}").status_code == 204
    assert client.get(f"/api/models/{model['id']}").status_code == 404


def test_import_bad_files(client):
    assert client.post("/api/models/import", files={"file": ("x.zip", b"nonsense")}).status_code == 400
    assert client.post("/api/models/import", files={"file": ("x.zip", b"")}).status_code == 422
    assert client.post("/api/models/import").status_code == 422
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("spec.json", '{"input_shape": [2], "layers": [{"type": "dense", "units": 2}]}')
        zf.writestr("weights.npz", b"garbage")
    assert client.post("/api/models/import", files={"file": ("x.zip", buf.getvalue())}).status_code in (400, 422)


@pytest.mark.parametrize("path, method", [("", "get"), ("/predict", "post"), ("/activations", "post"),
                                          ("/layers/0/weights", "get"), ("/layers/0/filters", "get"), ("", "delete")])
def test_unknown_model_is_404(client, path, method):
    kwargs = {"json": {"input": [0, 0]}} if method == "post" else {}
    assert getattr(client, method)(f"/api/models/m_nope{path}", **kwargs).status_code == 404


def test_unit_views_of_a_stored_run(client, toy_run, cnn_run):
    r = client.get(f"/api/runs/{toy_run['id']}/units")
    assert r.status_code == 200, r.text
    body = r.json()
    grid = client.get(f"/api/runs/{toy_run['id']}/decision-grid", params={"resolution": 10}).json()
    assert body["kind"] == "2d" and body["x_range"] == grid["x_range"]  # the same plane as the boundary
    layer = body["layers"][0]
    assert np.array(layer["units"][0]["values"]).shape == (body["resolution"], body["resolution"])
    units = client.get(f"/api/runs/{cnn_run['id']}/units")
    assert units.status_code == 409 and units.json()["detail"].startswith("unit views need a model with one or two inputs")
