"""`playground export SPEC.json WEIGHTS.npz --format onnx|pytorch --out PATH`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import expect_error
from export_helpers import TOL

from playground import cli
from playground.engine.model import build_model, save_weights

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "examples" / "lenet.json"


@pytest.fixture
def files(tmp_path):
    model = build_model(json.loads(SPEC.read_text()), seed=4)
    save_weights(model, tmp_path / "w.npz")
    return model, tmp_path


def test_onnx_file_runs_in_onnxruntime(files, capsys):
    ort = pytest.importorskip("onnxruntime")
    model, tmp = files
    assert cli.main(["export", str(SPEC), str(tmp / "w.npz"), "--format", "onnx", "--out", str(tmp / "m.onnx")]) == 0
    assert "written to" in capsys.readouterr().out
    x = np.random.default_rng(0).random((3, 28, 28, 1), dtype=np.float32)
    session = ort.InferenceSession(str(tmp / "m.onnx"), providers=["CPUExecutionProvider"])
    np.testing.assert_allclose(session.run(["probabilities"], {"input": x})[0], model.predict_proba(x),
                               atol=TOL, rtol=0)


def test_pytorch_zip_holds_source_and_weights(files):
    model, tmp = files
    assert cli.main(["export", str(SPEC), str(tmp / "w.npz"), "--format", "pytorch", "--out", str(tmp / "m.zip")]) == 0
    with zipfile.ZipFile(tmp / "m.zip") as z:
        assert {"model.py", "weights.safetensors", "README.md", "spec.json"} <= set(z.namelist())
        from safetensors.numpy import load

        weights = load(z.read("weights.safetensors"))
    np.testing.assert_array_equal(weights["conv0.bias"], model.state_dict()["layers.0.bias"])


def test_bad_inputs_are_one_line_errors(files, capsys):
    model, tmp = files
    w = tmp / "w.npz"
    expect_error(capsys, ["export", SPEC, tmp / "none.npz", "--format", "onnx", "--out", tmp / "a.onnx"],
                 "weights file", "not found")
    expect_error(capsys, ["export", tmp / "none.json", w, "--format", "onnx", "--out", tmp / "a.onnx"],
                 "spec file", "not found")
    expect_error(capsys, ["export", ROOT / "examples" / "mlp.json", w, "--format", "pytorch",
                          "--out", tmp / "a.zip"], "layers.0.weight")
    expect_error(capsys, ["export", SPEC, w, "--format", "onnx", "--out", tmp], "is a directory")
    expect_error(capsys, ["export", SPEC, w, "--format", "onnx", "--out", tmp / "no" / "dir" / "a.onnx"],
                 "No such file")
    assert not (tmp / "a.onnx").exists() and not (tmp / "a.zip").exists()


def test_unknown_format_is_refused_by_the_parser(files, capsys):
    _, tmp = files
    with pytest.raises(SystemExit) as exc:
        cli.main(["export", str(SPEC), str(tmp / "w.npz"), "--format", "tflite", "--out", str(tmp / "a")])
    assert exc.value.code == 2
    assert "invalid choice: 'tflite'" in capsys.readouterr().err


def test_missing_onnx_package_is_named(files, capsys, monkeypatch):
    import sys

    _, tmp = files
    monkeypatch.setitem(sys.modules, "onnx", None)  # import onnx now raises ImportError
    expect_error(capsys, ["export", SPEC, tmp / "w.npz", "--format", "onnx", "--out", tmp / "a.onnx"],
                 "'onnx' package", "nn-playground[export]")
