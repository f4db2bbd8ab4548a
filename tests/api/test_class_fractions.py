"""dataset_params.class_fractions over REST: a biased training set, and its bad inputs (422 at the key)."""

import io

import numpy as np
import pytest

from api_helpers import MLP_2D, MLP_MNIST, locs, start_run, wait_for

FIELD = ("body", "dataset_params", "class_fractions")


def test_biased_run_finishes_and_its_record_shows_the_fractions(client):
    rec = start_run(client, dataset_params={"n_samples": 200, "noise": 0.1, "class_fractions": {"1": 0.1}})
    assert rec["dataset_params"]["class_fractions"] == {"1": 0.1}
    done = wait_for(client, rec["id"])
    assert done["status"] == "finished", done["message"]
    assert done["dataset_params"]["class_fractions"] == {"1": 0.1}
    plain = start_run(client)
    assert "class_fractions" not in plain["dataset_params"]


@pytest.mark.parametrize("dataset, spec, fractions, key", [
    ("mnist", MLP_MNIST, {"10": 0.5}, "10"),
    ("mnist", MLP_MNIST, {"eight": 0.5}, "eight"),
    ("mnist", MLP_MNIST, {"8": 0}, "8"),
    ("mnist", MLP_MNIST, {"8": 1.5}, "8"),
    ("mnist", MLP_MNIST, {"8": "lots"}, "8"),
    ("circle", MLP_2D, {"2": 0.5}, "2"),
])
def test_bad_fractions_are_422_at_the_key(client, dataset, spec, fractions, key):
    body = {"spec": spec, "dataset": dataset, "dataset_params": {"class_fractions": fractions}}
    r = client.post("/api/runs", json=body)
    assert r.status_code == 422, r.text
    assert (*FIELD, key) in locs(r), locs(r)


def test_regression_set_refuses_class_fractions(client):
    spec = {"input_shape": [1], "layers": [{"type": "dense", "units": 1}], "loss": "mse"}
    r = client.post("/api/runs", json={"spec": spec, "dataset": "sin", "dataset_params": {"class_fractions": {"0": 0.5}}})
    assert r.status_code == 422 and (*FIELD, "0") in locs(r), r.text
    assert "classification" in r.json()["detail"][0]["msg"]


def test_upload_classes_are_checked_too(client):
    buf = io.BytesIO()
    x = np.random.default_rng(0).normal(size=(60, 2)).astype(np.float32)
    np.savez(buf, x=x, y=(x[:, 0] > 0).astype(np.int64))
    name = client.post("/api/datasets/upload", files={"file": ("two.npz", buf.getvalue())}).json()["name"]
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 2}]}
    r = client.post("/api/runs", json={"spec": spec, "dataset": name, "dataset_params": {"class_fractions": {"3": 0.5}}})
    assert r.status_code == 422 and (*FIELD, "3") in locs(r), r.text
