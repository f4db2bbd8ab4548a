"""What the engine benchmarks train: the models, their data and one training
loop per framework.

- MODELS: MLP 784-256-128-10 (batch 128) and a LeNet-like CNN (batch 64) as
  engine specs; ``torch_from_spec`` builds the same network in PyTorch and can
  copy the engine's initial weights into it, so both sides start from the very
  same function (conv kernels (KH, KW, C, F) -> (F, C, KH, KW); the first dense
  layer after a conv stack has its rows permuted from the engine's (h, w, c)
  flatten order to PyTorch's (c, h, w)).
- ``synthetic_mnist``: MNIST-shaped random float32 data for throughput.
- ``engine_runner`` / ``torch_runner``: ``run(steps)`` trains that many more
  steps with the same per-step work on both sides: a shuffled gather,
  forward, cross-entropy, backward, optimizer step, loss and accuracy readout.
"""

from __future__ import annotations

import numpy as np

from playground.engine.controls import Controls
from playground.engine.data.registry import Dataset, DatasetInfo
from playground.engine.model import build_model
from playground.engine.schedules import get_schedule
from playground.engine.train import TrainConfig, Trainer

MODELS = {
    "mlp": {
        "batch": 128,
        "spec": {"input_shape": [28, 28, 1], "loss": "softmax_cross_entropy", "layers": [
            {"type": "flatten"},
            {"type": "dense", "units": 256}, {"type": "relu"},
            {"type": "dense", "units": 128}, {"type": "relu"},
            {"type": "dense", "units": 10}]},
    },
    "cnn": {
        "batch": 64,
        "spec": {"input_shape": [28, 28, 1], "loss": "softmax_cross_entropy", "layers": [
            {"type": "conv2d", "filters": 8, "kernel_size": 5, "padding": "same"}, {"type": "relu"},
            {"type": "maxpool2d", "pool_size": 2},
            {"type": "conv2d", "filters": 16, "kernel_size": 5, "padding": "same"}, {"type": "relu"},
            {"type": "maxpool2d", "pool_size": 2},
            {"type": "flatten"}, {"type": "dense", "units": 10}]},
    },
}
LR = 0.01


def synthetic_mnist(n: int, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, n).astype(np.int64)
    empty_x, empty_y = x[:0], y[:0]
    info = DatasetInfo("synthetic-mnist", "image", (28, 28, 1), 10, n, 0, "random MNIST-shaped data")
    return Dataset(x, y, empty_x, empty_y, empty_x, empty_y, info,
                   tuple(str(i) for i in range(10)))


def engine_runner(name: str, data: Dataset, threads: int = 1, spec: dict | None = None,
                  batch: int | None = None, optimizer: str = "sgd", lr: float = LR,
                  schedule: str = "constant", epochs: int = 1, seed: int = 0, on_step=None):
    """(model, run): run(steps) trains that many more steps through Trainer.

    With a schedule other than constant the trainer is told the whole length
    (``epochs``) up front and ``run`` pauses it at each call's end instead."""
    model = build_model(spec or MODELS[name]["spec"], seed=seed)
    tc = TrainConfig(epochs=epochs, batch_size=batch or MODELS[name]["batch"], optimizer=optimizer,
                     lr=lr, lr_schedule=schedule, shuffle=True, seed=seed, eval_every_epoch=False,
                     threads=threads)
    trainer = Trainer(model, data, tc)
    full = trainer.total_steps
    goal = [0]

    def on_event(event):
        if event["type"] == "step" and event["step"] >= goal[0]:
            trainer.stop()

    trainer.on_event = on_event

    def run(steps: int) -> None:
        goal[0] = min(trainer.step_count + steps, full)
        trainer.controls = Controls()         # the last call's stop() is spent
        final = trainer.run()
        assert final["status"] in ("finished", "stopped"), final
    return model, run


def torch_from_spec(spec: dict, copy_from=None):
    """The spec's network in PyTorch (NCHW); with `copy_from` (an engine Model)
    its weights are set to the engine model's."""
    import torch
    import torch.nn as nn

    h, w, c = spec["input_shape"]
    mods, shape, pending = [], (c, h, w), []
    for layer in spec["layers"]:
        kind = layer["type"]
        if kind == "conv2d":
            k, f = layer.get("kernel_size", 3), layer["filters"]
            if layer.get("padding", "valid") == "same" and k % 2 == 0:
                raise ValueError("this translation covers odd SAME kernels only")
            pad = k // 2 if layer.get("padding", "valid") == "same" else 0
            mods.append(nn.Conv2d(shape[0], f, k, stride=layer.get("stride", 1), padding=pad))
            shape = (f, (shape[1] + 2 * pad - k) // layer.get("stride", 1) + 1,
                     (shape[2] + 2 * pad - k) // layer.get("stride", 1) + 1)
            pending.append(("conv", mods[-1]))
        elif kind == "maxpool2d":
            p = layer.get("pool_size", 2)
            mods.append(nn.MaxPool2d(p))
            shape = (shape[0], shape[1] // p, shape[2] // p)
        elif kind == "flatten":
            mods.append(nn.Flatten())
            pending.append(("flatten", shape))
            shape = (shape[0] * shape[1] * shape[2],)
        elif kind == "dense":
            mods.append(nn.Linear(shape[0], layer["units"]))
            pending.append(("dense", mods[-1]))
            shape = (layer["units"],)
        elif kind != "relu":
            raise ValueError(f"no PyTorch translation for {kind}")
        if kind == "relu" or layer.get("activation") == "relu":
            mods.append(nn.ReLU())
    net = nn.Sequential(*mods)
    if copy_from is not None:
        arrays = [t.data for t in copy_from.parameters()]
        chw = None
        with torch.no_grad():
            for what, item in pending:
                if what == "flatten":
                    chw = item
                    continue
                wgt, bias = arrays.pop(0), arrays.pop(0)
                if what == "conv":
                    item.weight.copy_(torch.from_numpy(wgt.transpose(3, 2, 0, 1).copy()))
                else:
                    if chw is not None and len(chw) == 3 and chw[0] * chw[1] * chw[2] == wgt.shape[0]:
                        cc, hh, ww = chw
                        wgt = wgt.reshape(hh, ww, cc, -1).transpose(2, 0, 1, 3).reshape(cc * hh * ww, -1)
                    chw = None
                    item.weight.copy_(torch.from_numpy(wgt.T.copy()))
                item.bias.copy_(torch.from_numpy(bias))
    return net


def torch_runner(name: str, data: Dataset, spec: dict | None = None, batch: int | None = None,
                 optimizer: str = "sgd", lr: float = LR, schedule: str = "constant",
                 epochs: int = 1, seed: int = 0, copy_from=None):
    """(net, run): run(steps) trains that many more steps, the engine's per-step work."""
    import torch

    torch.manual_seed(seed)
    net = torch_from_spec(spec or MODELS[name]["spec"], copy_from)
    make = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
    opt = make(net.parameters(), lr=lr)
    factor = get_schedule(schedule)
    x = torch.from_numpy(np.ascontiguousarray(data.x_train.transpose(0, 3, 1, 2)))
    y = torch.from_numpy(data.y_train.astype(np.int64))
    batch, n = batch or MODELS[name]["batch"], len(x)
    steps_per_epoch = -(-n // batch)
    total = epochs * steps_per_epoch
    rng = np.random.default_rng(seed)
    state = {"step": 0, "order": None}

    def run(steps: int) -> None:
        for _ in range(steps):
            k = state["step"] % steps_per_epoch
            if k == 0:
                state["order"] = torch.from_numpy(rng.permutation(n))
            idx = state["order"][k * batch:(k + 1) * batch]
            if schedule != "constant":
                for group in opt.param_groups:
                    group["lr"] = lr * factor(state["step"] / total)
            xb, yb = x[idx], y[idx]
            out = net(xb)
            loss = torch.nn.functional.cross_entropy(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
            int((out.argmax(1) == yb).sum())
            state["step"] += 1
    return net, run


def torch_model(name: str):
    """The PyTorch network of MODELS[name] (PyTorch's own initialization)."""
    return torch_from_spec(MODELS[name]["spec"])
