"""Spec validation: shapes, parameter counts, output-size formulas, every error kind."""
import copy
import json

import pytest

from playground.engine.spec import SpecError, conv_output_size, count_params, size_formula, validate_spec

ISSUE_SPEC = {"input_shape": [28, 28, 1],
              "layers": [{"type": "conv2d", "filters": 8, "kernel_size": 5, "stride": 1, "padding": "same"},
                         {"type": "relu"},
                         {"type": "maxpool2d", "pool_size": 2, "stride": 2},
                         {"type": "flatten"},
                         {"type": "dense", "units": 10}],
              "loss": "softmax_cross_entropy"}

LENET = {"input_shape": [28, 28, 1],
         "layers": [{"type": "conv2d", "filters": 8, "kernel_size": 5, "padding": "same"}, {"type": "relu"},
                    {"type": "maxpool2d"},
                    {"type": "conv2d", "filters": 16, "kernel_size": 5, "padding": "same"}, {"type": "relu"},
                    {"type": "maxpool2d"}, {"type": "flatten"}, {"type": "dense", "units": 10}]}

MLP = {"input_shape": [784],
       "layers": [{"type": "dense", "units": 256, "activation": "relu"},
                  {"type": "dense", "units": 128, "activation": "relu"},
                  {"type": "dense", "units": 10}]}


def spec_with(layers, input_shape=(28, 28, 1), loss="mse"):
    return {"input_shape": list(input_shape), "layers": layers, "loss": loss}


def error_of(spec) -> SpecError:
    with pytest.raises(SpecError) as info:
        validate_spec(spec)
    return info.value


def test_issue_example_shapes_and_params():
    report = validate_spec(ISSUE_SPEC)
    assert [li.output_shape for li in report.layers] == [(28, 28, 8), (28, 28, 8), (14, 14, 8), (1568,), (10,)]
    assert [li.params for li in report.layers] == [208, 0, 0, 0, 15690]
    assert report.total_params == 208 + 15690
    assert report.output_shape == (10,) and report.num_outputs == 10
    assert report.layers[0].detail["formula"] == "(28 - 5 + 2*2)/1 + 1 = 28"
    assert report.layers[0].detail["pad"] == [2, 2]
    assert report.layers[2].detail["formula"] == "(28 - 2 + 2*0)/2 + 1 = 14"
    assert report.layers[4].input_shape == (1568,)
    json.dumps(report.to_dict())  # JSON-ready for the API


def test_defaults_filled_and_loss_defaults():
    spec = copy.deepcopy(ISSUE_SPEC)
    del spec["loss"]
    report = validate_spec(spec)
    assert report.loss == "softmax_cross_entropy"
    conv = report.spec["layers"][0]
    assert conv["use_bias"] is True and conv["kernel_init"] == "he_normal" and conv["activation"] is None
    assert report.spec["layers"][4]["kernel_init"] == "glorot_uniform"
    assert validate_spec(spec_with([{"type": "maxpool2d", "pool_size": 3}, {"type": "flatten"}])) \
        .spec["layers"][0]["stride"] == 3
    assert validate_spec(spec_with([{"type": "conv2d", "filters": 1, "padding": "SAME"}])) \
        .spec["layers"][0]["padding"] == "same"
    # The normalized spec is itself valid and normalizes to itself (stored specs round-trip).
    again = validate_spec(json.loads(json.dumps(report.spec)))
    assert again.spec == report.spec and again.total_params == report.total_params


def test_lenet_and_mlp_param_counts():
    lenet = validate_spec(LENET)
    assert [li.output_shape for li in lenet.layers][-3:] == [(7, 7, 16), (784,), (10,)]
    assert lenet.total_params == (5 * 5 * 1 * 8 + 8) + (5 * 5 * 8 * 16 + 16) + (784 * 10 + 10) == 11274
    assert count_params(MLP) == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10 == 235146


@pytest.mark.parametrize("n,k,s,padding,out,pad", [
    (28, 3, 2, "same", 14, (0, 1)),   # even input, stride 2: TF pads after only
    (27, 3, 2, "same", 14, (1, 1)),   # odd input
    (28, 4, 2, "same", 14, (1, 1)),
    (28, 2, 2, "same", 14, (0, 0)),
    (5, 4, 1, "same", 5, (1, 2)),     # asymmetric: the smaller half before
    (28, 3, 2, "valid", 13, (0, 0)),  # floor((28 - 3)/2) + 1
    (27, 3, 2, "valid", 13, (0, 0)),
    (7, 7, 1, "valid", 1, (0, 0)),
])
def test_output_sizes_same_valid_stride2_odd_even(n, k, s, padding, out, pad):
    info = size_formula(n, k, s, padding)
    assert info["size"] == out == conv_output_size(n, k, s, padding)
    assert tuple(info["pad"]) == pad
    assert info["formula"].endswith(f"= {out}")
    layer = {"type": "conv2d", "filters": 2, "kernel_size": k, "stride": s, "padding": padding}
    report = validate_spec(spec_with([layer], input_shape=(n, n, 3)))
    assert report.output_shape == (out, out, 2)


def test_formula_text_for_floor_and_asymmetric_same():
    assert size_formula(28, 3, 2, "valid")["formula"] == "floor((28 - 3 + 2*0)/2) + 1 = 13"
    same = size_formula(28, 3, 2, "same")
    assert same["formula"] == "(28 - 3 + (0+1))/2 + 1 = 14"
    assert same["same_rule"].startswith("ceil(28/2) = 14")
    detail = validate_spec(spec_with([{"type": "conv2d", "filters": 1, "kernel_size": 3, "stride": 2,
                                       "padding": "same"}], input_shape=(28, 27, 1))).layers[0].detail
    assert detail["pad_h"] == [0, 1] and detail["pad_w"] == [1, 1]


@pytest.mark.parametrize("spec,layer,field,words", [
    (spec_with([{"type": "relu"}] * 3 + [{"type": "conv2d", "filters": 2, "kernel_size": 7}],
               input_shape=(5, 5, 1)),
     3, "kernel_size", "layer 3 (conv2d): kernel 7 is larger than its 5x5 input with valid padding"),
    (spec_with([{"type": "maxpool2d", "pool_size": 3}], input_shape=(2, 2, 1)),
     0, "pool_size", "layer 0 (maxpool2d): pool 3 is larger than its 2x2 input with valid padding"),
    (spec_with([{"type": "conv3d"}]), 0, "type", "unknown type 'conv3d'"),
    (spec_with([{"units": 3}]), 0, "type", "missing 'type'"),
    (spec_with(["dense"]), 0, None, "layer 0: must be an object"),
    (spec_with([{"type": "flatten"}, {"type": "dense", "unit": 10, "bias": True}]), 1, "unit",
     "layer 1 (dense): unknown keys 'unit', 'bias'"),
    (spec_with([{"type": "flatten"}, {"type": "dense"}]), 1, "units", "'units' is required"),
    (spec_with([{"type": "flatten"}, {"type": "dense", "units": "10"}]), 1, "units", "must be an integer"),
    (spec_with([{"type": "flatten"}, {"type": "dense", "units": 2.0}]), 1, "units", "must be an integer"),
    (spec_with([{"type": "flatten"}, {"type": "dense", "units": True}]), 1, "units", "must be an integer"),
    (spec_with([{"type": "flatten"}, {"type": "dense", "units": 0}]), 1, "units", "units must be >= 1"),
    (spec_with([{"type": "flatten"}, {"type": "dense", "units": 3, "use_bias": "yes"}]), 1, "use_bias",
     "true or false"),
    (spec_with([{"type": "conv2d", "filters": 0}]), 0, "filters", "filters must be >= 1"),
    (spec_with([{"type": "conv2d", "filters": 2, "kernel_size": 0}]), 0, "kernel_size", ">= 1"),
    (spec_with([{"type": "conv2d", "filters": 2, "stride": 0}]), 0, "stride", "stride must be >= 1"),
    (spec_with([{"type": "conv2d", "filters": 2, "padding": "full"}]), 0, "padding", "one of 'valid', 'same'"),
    (spec_with([{"type": "conv2d", "filters": 2, "kernel_init": "ones"}]), 0, "kernel_init", "one of"),
    (spec_with([{"type": "dropout", "rate": 1.0}]), 0, "rate", "rate must be in [0, 1)"),
    (spec_with([{"type": "dropout", "rate": -0.1}]), 0, "rate", "rate must be >= 0"),
    (spec_with([{"type": "dropout", "rate": float("nan")}]), 0, "rate", "finite"),
    (spec_with([{"type": "dense", "units": 10}]), 0, None,
     "layer 0 (dense): its input is an image 28x28x1; add a flatten layer before it"),
    (spec_with([{"type": "flatten"}, {"type": "conv2d", "filters": 2}]), 1, None,
     "layer 1 (conv2d): needs an image input"),
    (spec_with([{"type": "avgpool2d"}], input_shape=(10,)), 0, None, "layer 0 (avgpool2d): needs an image"),
])
def test_layer_errors_name_index_and_field(spec, layer, field, words):
    err = error_of(spec)
    assert err.layer == layer and err.field == field
    assert words in err.message and str(err) == err.message
    assert err.to_dict() == {"layer": layer, "field": field, "message": err.message}


@pytest.mark.parametrize("spec,field,words", [
    ([1, 2], None, "spec must be an object"),
    ({"layers": [{"type": "relu"}]}, "input_shape", "input_shape is required"),
    ({"input_shape": [28, 28], "layers": [{"type": "relu"}]}, "input_shape", "[height, width, channels]"),
    ({"input_shape": [28, 0, 1], "layers": [{"type": "relu"}]}, "input_shape", "positive integers"),
    ({"input_shape": "28x28", "layers": [{"type": "relu"}]}, "input_shape", "positive integers"),
    ({"input_shape": [4], "layers": []}, "layers", "non-empty list"),
    ({"input_shape": [4], "layers": [{"type": "relu"}], "optimizer": "sgd"}, "optimizer", "unknown key"),
    ({"input_shape": [4], "layers": [{"type": "relu"}], "loss": "hinge"}, "loss", "unknown loss 'hinge'"),
    ({"input_shape": [4], "layers": [{"type": "dense", "units": 1}]}, "loss",
     "softmax_cross_entropy needs the last layer to output (K,) with K >= 2"),
    ({"input_shape": [4], "layers": [{"type": "dense", "units": 2}], "loss": "binary_cross_entropy"}, "loss",
     "binary_cross_entropy needs the last layer to output (1,)"),
    ({"input_shape": [8, 8, 1], "layers": [{"type": "conv2d", "filters": 3}]}, "loss", "got (6, 6, 3)"),
])
def test_spec_level_errors(spec, field, words):
    err = error_of(spec)
    assert err.layer is None and err.field == field and words in err.message


def test_loss_compatibility_accepted():
    assert validate_spec({"input_shape": [2], "layers": [{"type": "dense", "units": 1}],
                          "loss": "binary_cross_entropy"}).loss == "binary_cross_entropy"
    assert validate_spec({"input_shape": [8, 8, 1], "layers": [{"type": "conv2d", "filters": 3}],
                          "loss": "mse"}).output_shape == (6, 6, 3)


def test_warning_for_softmax_before_cross_entropy():
    spec = copy.deepcopy(ISSUE_SPEC)
    spec["layers"].append({"type": "softmax"})
    assert "applied twice" in validate_spec(spec).warnings[0]
    assert validate_spec(ISSUE_SPEC).warnings == []


def test_validation_is_fast_for_big_models():
    # 100M parameters: validation must not allocate weights.
    spec = {"input_shape": [10000], "layers": [{"type": "dense", "units": 10000}, {"type": "dense", "units": 10}]}
    assert count_params(spec) == 10000 * 10000 + 10000 + 100010
