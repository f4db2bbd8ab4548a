"""PyTorch export: the unpacked zip's load() computes what the engine computes,
for every layer type, activation and padding mode, and one SGD step in PyTorch
moves the loss (and the outputs) as one SGD step in the engine does."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from export_helpers import (
    TOL,
    engine_sgd_step,
    from_torch,
    inputs,
    load_torch,
    randomize,
    targets,
    to_torch,
    torch_sgd_step,
)
from layer_specs import SPECS

from playground.engine.layers import LAYERS
from playground.engine.model import build_model
from playground.export import ExportError, export_model, torch_export

torch = pytest.importorskip("torch")


def _model(name: str, seed: int = 0, scale: float = 0.5):
    model = build_model(SPECS[name], seed=seed)
    randomize(model, seed, scale)
    return model


def test_every_layer_type_has_an_emitter():
    assert set(torch_export.EMITTERS) == set(LAYERS)


@pytest.mark.parametrize("name", list(SPECS))
def test_pytorch_matches_engine(name, tmp_path):
    model = _model(name)
    net = load_torch(model, tmp_path)
    x = inputs(model)
    with torch.no_grad():
        got = from_torch(net(to_torch(x)))
    np.testing.assert_allclose(got, model.outputs(x), atol=TOL, rtol=TOL)
    if model.loss != "mse":
        np.testing.assert_allclose(_proba(got, model.loss), model.predict_proba(x), atol=TOL, rtol=0)


def _proba(logits: np.ndarray, loss: str) -> np.ndarray:
    t = torch.from_numpy(logits)
    return (t.softmax(dim=1) if loss == "softmax_cross_entropy" else torch.sigmoid(t)).numpy()


# Dropout draws different masks in the two frameworks, and identity_only has
# no weights to step; every other spec steps.
SGD_SPECS = [name for name in SPECS if name not in ("dropout", "identity_only")]


@pytest.mark.parametrize("name", SGD_SPECS)
def test_one_sgd_step_moves_the_loss_the_same(name, tmp_path):
    # Weights of a trainable size: with the 0.5 of the forward tests the logits
    # reach 20 and float32 rounding (1e-6 in the gradients) grows past 1e-5.
    model = _model(name, seed=3, scale=0.2)
    net = load_torch(model, tmp_path)
    x, lr = inputs(model, n=8), 0.05
    t = targets(model, len(x))
    e_before, e_after, e_out = engine_sgd_step(model, x, t, lr)
    t_before, t_after, t_out = torch_sgd_step(net, model.loss, x, t, lr)
    assert abs(e_before - t_before) <= TOL * max(1.0, abs(e_before))
    assert abs(e_after - t_after) <= TOL * max(1.0, abs(e_after))
    assert e_after != e_before  # the step moved something that could differ
    np.testing.assert_allclose(t_out, e_out, atol=TOL, rtol=TOL)


def test_zip_members_and_readable_source(tmp_path):
    model = _model("conv_same_s2_even")
    z = zipfile.ZipFile(io.BytesIO(export_model(model, "pytorch")))
    assert sorted(z.namelist()) == ["README.md", "model.py", "spec.json", "weights.safetensors"]
    source = z.read("model.py").decode()
    compile(source, "model.py", "exec")
    # asymmetric SAME padding is an explicit pad; the dense after flatten says it was permuted
    assert '("conv0_pad", nn.ZeroPad2d((0, 1, 0, 1)))' in source
    assert "weights permuted" in source and "def load(" in source
    assert json.loads(z.read("spec.json"))["layers"][0]["padding"] == "same"
    from safetensors.numpy import load

    tensors = load(z.read("weights.safetensors"))
    assert tensors["conv0.weight"].shape == (3, 1, 3, 3)   # (F, C, KH, KW)
    assert tensors["dense2.weight"].shape == (3, 48)       # (units, in)
    assert "torch.load" not in z.read("README.md").decode()


def test_helpers_appear_only_when_used():
    plain, _ = torch_export.build_source(_model("lenet_small"))
    assert "\nclass " not in plain and "import torch\n" not in plain
    pooled, _ = torch_export.build_source(_model("avgpool_same_s2_odd"))
    assert "class PadAvgPool2d" in pooled and "import torch.nn.functional as F" in pooled
    flat, _ = torch_export.build_source(_model("flatten_last"))
    assert "class FlattenHWC" in flat


def test_export_does_not_import_torch():
    code = ("import sys, json\n"
            "from playground.engine.model import build_model\n"
            "from playground.export import export_model\n"
            "spec = json.load(open('examples/lenet.json'))\n"
            "assert len(export_model(build_model(spec, seed=0), 'pytorch')) > 1000\n"
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.')))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_a_layer_without_an_emitter_is_named(monkeypatch):
    monkeypatch.delitem(torch_export.EMITTERS, "dropout")
    with pytest.raises(ExportError) as err:
        export_model(_model("dropout"), "pytorch")
    assert err.value.layer == 1 and "layer 1 (dropout)" in str(err.value)


def test_a_hostile_spec_name_cannot_become_code(tmp_path):
    import ast

    spec = dict(SPECS["binary"], name='x"""\nimport os; os.remove("/tmp/nothing")\n"""\\')
    model = build_model(spec, seed=0)
    source, _ = torch_export.build_source(model)
    tree = ast.parse(source)
    statements = [type(node).__name__ for node in tree.body]
    assert statements == ["Expr", "ImportFrom", "ImportFrom", "ImportFrom", "ImportFrom", "Assign",
                          "FunctionDef", "FunctionDef"]
    assert "import os" not in source.split('"""')[2]  # nothing after the docstring mentions it
    assert load_torch(model, tmp_path) is not None
