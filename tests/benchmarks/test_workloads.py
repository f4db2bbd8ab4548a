"""The benchmark's PyTorch networks are the engine's models: same outputs from
the copied weights, and one SGD step moves both the same way."""

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks.workloads import MODELS, torch_from_spec
from playground.engine.losses import softmax_cross_entropy
from playground.engine.model import build_model
from playground.engine.optim import make_optimizer

torch = pytest.importorskip("torch")
ROOT = Path(__file__).resolve().parents[2]
SPECS = {"mlp": MODELS["mlp"]["spec"], "cnn": MODELS["cnn"]["spec"],
         "fast_cnn": json.loads((ROOT / "examples" / "fast_cnn.json").read_text())}


@pytest.mark.parametrize("name", list(SPECS))
def test_copied_weights_give_the_same_outputs_and_the_same_step(name):
    spec = SPECS[name]
    model = build_model(spec, seed=3, dtype=np.float64)
    net = torch_from_spec(spec, model).double()
    x = np.random.default_rng(0).random((6, 28, 28, 1))
    y = np.array([0, 1, 2, 3, 4, 5])
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    np.testing.assert_allclose(model(x).data, net(xt).detach().numpy(), rtol=1e-10, atol=1e-12)
    opt = make_optimizer("sgd", model.parameters(), lr=0.1)
    softmax_cross_entropy(model(x, training=True), y).backward()
    opt.step()
    topt = torch.optim.SGD(net.parameters(), lr=0.1)
    torch.nn.functional.cross_entropy(net(xt), torch.from_numpy(y)).backward()
    topt.step()
    np.testing.assert_allclose(model(x).data, net(xt).detach().numpy(), rtol=1e-9, atol=1e-11)
