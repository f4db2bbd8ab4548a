"""viz/inspection.py raises domain errors naming the field at fault (no HTTP in
the visualizers); api/errors.py maps them to the statuses the inspect routes
have always answered with."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from playground.api.errors import install_handlers
from playground.engine.model import build_model
from playground.viz import inspection
from playground.viz.inspection import InspectionError, NoSuchLayer, NotApplicable

MLP = {"input_shape": [2], "layers": [{"type": "dense", "units": 3}, {"type": "relu"},
                                      {"type": "dense", "units": 2}], "loss": "mse"}


def _dataset(kind="2d", num_classes=2, name="toy"):
    x = np.random.default_rng(0).normal(size=(8, 2)).astype(np.float32)
    y = np.zeros(8, dtype=np.int64)
    info = SimpleNamespace(kind=kind, num_classes=num_classes, name=name, input_shape=(2,))
    return SimpleNamespace(info=info, x_train=x, y_train=y, x_val=x[:0], y_val=y[:0], x_test=x, y_test=y)


@pytest.fixture(scope="module")
def model():
    return build_model(MLP, seed=0)


@pytest.mark.parametrize("call,message", [
    (lambda m: inspection.layer_weights(m, 1, 4), "layer 1 (relu) has no weights"),
    (lambda m: inspection.layer_weights(m, 7, 4), "layer 7 does not exist (the model has 3 layers)"),
    (lambda m: inspection.layer_filters(m, 0), "layer 0 (dense) is not a conv2d layer"),
])
def test_missing_layers_raise_no_such_layer(model, call, message):
    with pytest.raises(NoSuchLayer) as caught:
        call(model)
    assert caught.value.field == "index" and caught.value.message == message == str(caught.value)


def test_views_that_do_not_apply_name_the_field(model):
    with pytest.raises(NotApplicable) as caught:
        inspection.decision_grid(model, _dataset(kind="image", name="mnist"), 10)
    assert caught.value.field == "dataset" and "needs a 2-D dataset; 'mnist' is image" in caught.value.message
    with pytest.raises(NotApplicable) as caught:
        inspection.evaluation(model, _dataset(num_classes=0))
    assert caught.value.field == "dataset"
    with pytest.raises(NotApplicable) as caught:
        inspection.evaluation(model, _dataset())  # an mse model regresses
    assert caught.value.field == "model" and "this model regresses" in caught.value.message
    assert issubclass(NoSuchLayer, InspectionError) and issubclass(NotApplicable, InspectionError)


def test_the_api_maps_them_to_404_and_409():
    app = FastAPI()
    install_handlers(app)

    @app.get("/missing")
    def missing():
        raise NoSuchLayer("index", "layer 9 does not exist")

    @app.get("/unsuitable")
    def unsuitable():
        raise NotApplicable("dataset", "evaluation needs a classification dataset")

    with TestClient(app) as client:
        r = client.get("/missing")
        assert (r.status_code, r.json()) == (404, {"detail": "layer 9 does not exist"})
        r = client.get("/unsuitable")
        assert (r.status_code, r.json()) == (409, {"detail": "evaluation needs a classification dataset"})
