"""Shared by the export tests: run an export in its own runtime (onnxruntime,
PyTorch from the unpacked zip) and take one SGD step on both sides."""

from __future__ import annotations

import importlib.util
import io
import itertools
import zipfile
from pathlib import Path

import numpy as np

from playground.engine import losses, optim
from playground.export.onnx_export import to_onnx
from playground.export.torch_export import to_pytorch_zip

TOL = 1e-5
_module_ids = itertools.count()


def randomize(model, seed: int = 0, scale: float = 0.5) -> None:
    """Replace every weight and bias (zeros after init) by random values, so the
    biases and every sign of every activation take part in the comparison."""
    rng = np.random.default_rng(seed)
    model.load_state_dict({k: rng.normal(0.0, scale, v.shape).astype(np.float32)
                           for k, v in model.state_dict().items()})


def inputs(model, n: int = 6, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 1.0, (n, *model.input_shape)).astype(np.float32)


def onnx_session(model):
    import onnxruntime as ort

    return ort.InferenceSession(to_onnx(model), providers=["CPUExecutionProvider"])


def onnx_outputs(model, x: np.ndarray) -> dict[str, np.ndarray]:
    session = onnx_session(model)
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"input": x}), strict=True))


def load_torch(model, folder: Path):
    """Unpack the PyTorch zip into ``folder`` and return its ``load()``ed network."""
    zipfile.ZipFile(io.BytesIO(to_pytorch_zip(model))).extractall(folder)
    name = f"exported_model_{next(_module_ids)}"
    spec = importlib.util.spec_from_file_location(name, folder / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load()


def to_torch(x: np.ndarray):
    import torch

    t = torch.from_numpy(np.array(x, dtype=np.float32))  # a writable copy: MNIST arrays are read-only
    return t.permute(0, 3, 1, 2).contiguous() if t.ndim == 4 else t


def from_torch(y) -> np.ndarray:
    y = y.detach().numpy()
    return np.ascontiguousarray(y.transpose(0, 2, 3, 1)) if y.ndim == 4 else y


def targets(model, n: int, seed: int = 2) -> np.ndarray:
    """Labels or targets the model's loss takes, for a batch of n."""
    rng = np.random.default_rng(seed)
    if model.loss == "softmax_cross_entropy":
        return rng.integers(0, model.report.num_outputs, n)
    if model.loss == "binary_cross_entropy":
        return rng.integers(0, 2, (n, 1)).astype(np.float32)
    return rng.normal(0.0, 1.0, (n, *model.report.output_shape)).astype(np.float32)


def engine_sgd_step(model, x, t, lr: float):
    """(loss before, loss after, outputs after) of one plain SGD step in the engine."""
    loss_fn = losses.LOSSES[model.loss]
    model.zero_grad()
    loss = loss_fn(model(x, training=True), t)
    before = loss.item()
    loss.backward()
    optim.SGD(model.parameters(), lr=lr).step()
    model.zero_grad()
    after_out = model.outputs(x)
    return before, loss_fn(after_out, t).item(), after_out


def torch_sgd_step(net, loss_name: str, x, t, lr: float):
    """The same step in PyTorch on the exported network, with PyTorch's own losses."""
    import torch

    loss_fn = {"softmax_cross_entropy": torch.nn.CrossEntropyLoss(),
               "binary_cross_entropy": torch.nn.BCEWithLogitsLoss(),
               "mse": torch.nn.MSELoss()}[loss_name]
    xt = to_torch(x)
    tt = torch.from_numpy(np.array(t))  # a writable copy: MNIST labels are read-only
    if loss_name == "mse" and tt.ndim == 4:
        tt = tt.permute(0, 3, 1, 2)
    net.train()
    opt = torch.optim.SGD(net.parameters(), lr=lr)
    opt.zero_grad()
    loss = loss_fn(net(xt), tt)
    before = loss.item()
    loss.backward()
    opt.step()
    net.eval()
    with torch.no_grad():
        out = net(xt)
        after = loss_fn(out, tt).item()
    return before, after, from_torch(out)
