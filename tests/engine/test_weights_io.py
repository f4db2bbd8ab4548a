"""Weights files: round trip, mismatches named, corrupt and pickled files refused."""
import io
import os
import pickle

import numpy as np
import pytest

from playground.engine.model import WeightsError, build_model, load_weights, save_weights
from playground.engine.weights_io import read_npz

SPEC = {"input_shape": [8, 8, 1],
        "layers": [{"type": "conv2d", "filters": 4, "kernel_size": 3}, {"type": "relu"},
                   {"type": "maxpool2d"}, {"type": "flatten"}, {"type": "dense", "units": 3}]}


def test_round_trip_path_and_file_object(tmp_path):
    model = build_model(SPEC, seed=0)
    x = np.random.default_rng(0).random((2, 8, 8, 1), dtype=np.float32)
    path = tmp_path / "w"  # no suffix: must be written exactly there, not as w.npz
    save_weights(model, path)
    assert os.listdir(tmp_path) == ["w"]
    loaded = load_weights(SPEC, path, seed=123)
    np.testing.assert_array_equal(loaded(x).data, model(x).data)
    with np.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == ["layers.0.bias", "layers.0.weight", "layers.4.bias", "layers.4.weight"]
        assert f["layers.0.weight"].shape == (3, 3, 1, 4)
    buf = io.BytesIO()
    save_weights(model, buf)
    other = build_model(SPEC, seed=5)
    assert load_weights(other, buf.getvalue()) is other
    np.testing.assert_array_equal(other(x).data, model(x).data)


def test_float64_file_loads_into_float32_model(tmp_path):
    model = build_model(SPEC, seed=0)
    np.savez(tmp_path / "w64.npz", **{k: v.astype(np.float64) for k, v in model.state_dict().items()})
    other = load_weights(SPEC, tmp_path / "w64.npz")
    assert other.parameters()[0].dtype == np.float32
    np.testing.assert_array_equal(other.parameters()[0].data, model.parameters()[0].data)


def test_mismatched_file_names_key_and_shapes(tmp_path):
    wider = dict(SPEC, layers=[dict(SPEC["layers"][0], filters=6)] + SPEC["layers"][1:])
    save_weights(build_model(wider, seed=0), tmp_path / "wide.npz")
    with pytest.raises(WeightsError) as info:
        load_weights(SPEC, tmp_path / "wide.npz")
    msg = str(info.value)
    assert "layers.0.weight: expected shape (3, 3, 1, 4), found (3, 3, 1, 6)" in msg
    assert "layers.4.weight: expected shape (36, 3), found (54, 3)" in msg


def test_missing_and_extra_keys_refused(tmp_path):
    state = build_model(SPEC, seed=0).state_dict()
    state.pop("layers.4.bias")
    state["layers.1.weight"] = np.zeros(3, np.float32)
    np.savez(tmp_path / "keys.npz", **state)
    with pytest.raises(WeightsError, match=r"missing layers\.4\.bias.*unexpected layers\.1\.weight"):
        load_weights(SPEC, tmp_path / "keys.npz")


@pytest.mark.parametrize("content,words", [
    (b"this is not a zip file at all", "not a valid .npz"),
    (b"", "not a valid .npz"),
    (pickle.dumps({"layers.0.weight": [1, 2]}), "pickled data"),
])
def test_corrupt_files_refused(tmp_path, content, words):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(WeightsError, match=words):
        load_weights(SPEC, path)


def test_truncated_npz_refused(tmp_path):
    buf = io.BytesIO()
    save_weights(build_model(SPEC, seed=0), buf)
    path = tmp_path / "cut.npz"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(WeightsError):
        load_weights(SPEC, path)


def test_pickled_object_array_in_npz_refused(tmp_path):
    state = build_model(SPEC, seed=0).state_dict()
    state["layers.0.weight"] = np.array([{"evil": 1}, None], dtype=object)
    np.savez(tmp_path / "obj.npz", **state)  # np.savez pickles object arrays
    with pytest.raises(WeightsError, match="object array"):
        read_npz(tmp_path / "obj.npz")


def test_single_npy_and_missing_file_refused(tmp_path):
    np.save(tmp_path / "one.npy", np.zeros(3))
    with pytest.raises(WeightsError, match="single .npy"):
        load_weights(SPEC, tmp_path / "one.npy")
    with pytest.raises(WeightsError, match="not found"):
        load_weights(SPEC, tmp_path / "nothing.npz")


def test_non_numeric_and_non_finite_weights_refused(tmp_path):
    state = build_model(SPEC, seed=0).state_dict()
    bad = dict(state, **{"layers.4.bias": np.array(["a", "b", "c"])})
    np.savez(tmp_path / "str.npz", **bad)
    with pytest.raises(WeightsError, match=r"layers\.4\.bias: expected numbers"):
        load_weights(SPEC, tmp_path / "str.npz")
    state["layers.4.bias"][1] = np.nan
    np.savez(tmp_path / "nan.npz", **state)
    with pytest.raises(WeightsError, match="NaN"):
        load_weights(SPEC, tmp_path / "nan.npz")
