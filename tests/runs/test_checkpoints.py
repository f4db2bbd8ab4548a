"""Checkpoints: weights + trainer state round trip without pickles, atomic swap."""

import numpy as np
import pytest

from playground.runs import checkpoints


def test_round_trip(tmp_path):
    weights = {"layers.0.weight": np.ones((2, 3), np.float32), "layers.0.bias": np.zeros(3, np.float32)}
    state = {"optimizer": {"lr": 0.1, "m": [np.arange(3.0), np.ones(2)], "t": np.int64(7)},
             "step": 12, "epoch": 1, "best": float("inf"),
             "rng": {"state": {"state": 2**100 + 3, "inc": 5}, "bit_generator": "PCG64"},
             "pair": (1, np.zeros(1)), 3: "int key"}
    assert checkpoints.checkpoint_dir(tmp_path, "r1") is None
    checkpoints.save(tmp_path, "r1", "latest", weights, state, {"step": 12, "epoch": 1})
    path = checkpoints.checkpoint_dir(tmp_path, "r1", "latest")
    assert path is not None and checkpoints.load_meta(path)["step"] == 12
    w = checkpoints.load_weights(path)
    assert w.keys() == weights.keys() and w["layers.0.weight"].dtype == np.float32
    s = checkpoints.load_trainer_state(path)
    assert s["optimizer"]["lr"] == 0.1 and s["optimizer"]["t"] == 7
    np.testing.assert_array_equal(s["optimizer"]["m"][0], np.arange(3.0))
    assert s["rng"]["state"]["state"] == 2**100 + 3 and s["best"] == float("inf")
    assert isinstance(s["pair"], tuple) and s[3] == "int key"
    # A newer checkpoint replaces the old one, with nothing left behind.
    checkpoints.save(tmp_path, "r1", "latest", weights, None, {"step": 20})
    assert checkpoints.load_meta(path)["step"] == 20
    assert checkpoints.load_trainer_state(path) is None
    assert sorted(p.name for p in path.parent.iterdir()) == ["latest"]


def test_refuses_object_arrays_and_bad_kind(tmp_path):
    with pytest.raises(TypeError):
        checkpoints.save(tmp_path, "r1", "latest", {}, {"x": np.array([object()])}, {})
    with pytest.raises(ValueError):
        checkpoints.checkpoint_dir(tmp_path, "r1", "middle")
