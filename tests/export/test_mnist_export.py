"""The two example models (examples/mlp.json, examples/lenet.json) trained
briefly on real MNIST, exported, and run on real MNIST test images by
onnxruntime and PyTorch: outputs equal the engine's within 1e-5, and one SGD
step on a real batch moves the loss the same in PyTorch as in the engine.

A few hundred Adam steps only: the check is that the exports compute the same
function as a trained model, not the accuracy (tests/cli/test_mnist_accuracy.py
has that). Needs MNIST under PLAYGROUND_DATA_DIR; skipped without it, never
downloads.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from export_helpers import TOL, engine_sgd_step, from_torch, load_torch, onnx_outputs, to_torch, torch_sgd_step

from playground.engine import losses, optim
from playground.engine.model import build_model

torch = pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

ROOT = Path(__file__).resolve().parents[2]
STEPS, BATCH = 200, 64


def _mnist():
    from playground.engine.data import load_dataset
    from playground.engine.data.idx import DataError

    try:
        return load_dataset("mnist", val_split=0.0, download=False)
    except (DataError, OSError) as exc:
        pytest.skip(f"MNIST not found under PLAYGROUND_DATA_DIR: {exc}")


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mnist():
    return _mnist()


@pytest.fixture(scope="module", params=["mlp", "lenet"])
def trained(request, mnist):
    """(name, model) after STEPS Adam steps on MNIST batches in file order."""
    spec = json.loads((ROOT / "examples" / f"{request.param}.json").read_text())
    model = build_model(spec, seed=0)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    first = last = None
    for step in range(STEPS):
        lo = step * BATCH
        loss = losses.softmax_cross_entropy(model(mnist.x_train[lo:lo + BATCH], training=True),
                                            mnist.y_train[lo:lo + BATCH])
        loss.backward()
        opt.step()
        opt.zero_grad()
        first = loss.item() if first is None else first
        last = loss.item()
    assert last < first / 3  # it did train (about 2.3 -> under 0.5)
    return request.param, model


def test_exports_match_the_trained_engine_on_mnist_test_images(trained, mnist, tmp_path):
    name, model = trained
    x = mnist.x_test[:512]
    proba, logits = model.predict_proba(x), model.outputs(x)
    out = onnx_outputs(model, x)
    np.testing.assert_allclose(out["probabilities"], proba, atol=TOL, rtol=0)
    np.testing.assert_allclose(out["logits"], logits, atol=TOL, rtol=TOL)
    net = load_torch(model, tmp_path)
    with torch.no_grad():
        got = from_torch(net(to_torch(x)))
    np.testing.assert_allclose(got, logits, atol=TOL, rtol=TOL)
    torch_proba = torch.from_numpy(got).softmax(dim=1).numpy()
    np.testing.assert_allclose(torch_proba, proba, atol=TOL, rtol=0)
    predicted = proba.argmax(axis=1)
    assert (out["probabilities"].argmax(axis=1) == predicted).all() and (got.argmax(axis=1) == predicted).all()
    accuracy = float((predicted == mnist.y_test[:512]).mean())
    print(f"{name}: {STEPS} steps, accuracy on these 512 test images {accuracy:.3f}; "
          f"largest difference of the probabilities: onnx {np.abs(out['probabilities'] - proba).max():.1e}, "
          f"pytorch {np.abs(torch_proba - proba).max():.1e}; of the logits: onnx "
          f"{np.abs(out['logits'] - logits).max():.1e}, pytorch {np.abs(got - logits).max():.1e}")
    assert accuracy > 0.8


def test_one_sgd_step_on_mnist_moves_the_loss_the_same(trained, mnist, tmp_path):
    name, trained_model = trained
    model = build_model(trained_model.spec, seed=0)  # a copy: the step must not change the fixture
    model.load_state_dict(trained_model.state_dict())
    net = load_torch(model, tmp_path)
    x, t = mnist.x_test[:64], mnist.y_test[:64]
    e_before, e_after, e_out = engine_sgd_step(model, x, t, lr=0.05)
    t_before, t_after, t_out = torch_sgd_step(net, model.loss, x, t, lr=0.05)
    assert abs(e_before - t_before) <= TOL and abs(e_after - t_after) <= TOL
    assert abs((e_after - e_before) - (t_after - t_before)) <= TOL
    assert e_after < e_before
    np.testing.assert_allclose(t_out, e_out, atol=TOL, rtol=TOL)
