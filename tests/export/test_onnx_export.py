"""ONNX export: onnx.checker passes and onnxruntime computes what the engine
computes, for every layer type, activation and padding mode (layer_specs.py)."""

from __future__ import annotations

import numpy as np
import pytest
from export_helpers import TOL, inputs, onnx_outputs, randomize
from layer_specs import SPECS

from playground.engine.layers import LAYERS
from playground.engine.model import build_model
from playground.export import ExportError, export_model, onnx_export

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")


def _model(name: str, seed: int = 0):
    model = build_model(SPECS[name], seed=seed)
    randomize(model, seed)
    return model


def test_every_layer_type_has_an_emitter_and_is_used():
    assert set(onnx_export.EMITTERS) == set(LAYERS)
    used = {layer["type"] for spec in SPECS.values() for layer in spec["layers"]}
    assert used == set(LAYERS)


@pytest.mark.parametrize("name", list(SPECS))
def test_onnxruntime_matches_engine(name):
    model = _model(name)
    proto = onnx_export.build_onnx(model)
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version >= 17
    x = inputs(model)
    out = onnx_outputs(model, x)
    if model.loss == "mse":
        assert list(out) == ["outputs"]
        np.testing.assert_allclose(out["outputs"], model.predict_proba(x), atol=TOL, rtol=0)
    else:
        assert list(out) == ["probabilities", "logits"]
        np.testing.assert_allclose(out["probabilities"], model.predict_proba(x), atol=TOL, rtol=0)
        np.testing.assert_allclose(out["logits"], model.outputs(x), atol=TOL, rtol=TOL)
    if model.loss == "softmax_cross_entropy":
        np.testing.assert_array_equal(out["probabilities"].argmax(axis=1), model.predict(x))


def test_input_is_nhwc_with_a_dynamic_batch_axis():
    model = _model("lenet_small")
    proto = onnx_export.build_onnx(model)
    (inp,) = proto.graph.input
    dims = inp.type.tensor_type.shape.dim
    assert inp.name == "input"
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == [12, 12, 1]
    for n in (1, 7):
        x = inputs(model, n=n, seed=n)
        got = onnx_outputs(model, x)["probabilities"]
        assert got.shape == (n, 4)
        np.testing.assert_allclose(got, model.predict_proba(x), atol=TOL, rtol=0)


def test_same_padding_is_written_as_explicit_asymmetric_pads():
    model = _model("conv_same_s2_even")  # 8 wide, kernel 3, stride 2: 0 before, 1 after
    (conv,) = [n for n in onnx_export.build_onnx(model).graph.node if n.op_type == "Conv"]
    pads = next(a for a in conv.attribute if a.name == "pads").ints
    assert list(pads) == [0, 0, 1, 1]
    (pool,) = [n for n in onnx_export.build_onnx(_model("avgpool_same_s2_odd")).graph.node
               if n.op_type == "AveragePool"]
    attrs = {a.name: a for a in pool.attribute}
    assert list(attrs["pads"].ints) == [0, 0, 1, 1] and attrs["count_include_pad"].i == 0


def test_dropout_is_left_out_and_weights_keep_the_engine_names():
    proto = onnx_export.build_onnx(_model("dropout"))
    assert "Dropout" not in {n.op_type for n in proto.graph.node}
    assert {i.name for i in proto.graph.initializer} == {
        "layers.0.weight", "layers.0.bias", "layers.4.weight", "layers.4.bias", "layers.6.weight", "layers.6.bias"}


def test_a_layer_without_an_emitter_is_named(monkeypatch):
    monkeypatch.delitem(onnx_export.EMITTERS, "avgpool2d")
    with pytest.raises(ExportError) as err:
        export_model(_model("lenet_small"), "onnx")
    assert err.value.layer == 4 and err.value.layer_type == "avgpool2d"
    assert "layer 4 (avgpool2d)" in str(err.value)
