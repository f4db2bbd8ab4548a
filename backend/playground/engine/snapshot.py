"""Per-layer snapshot of a model for the trainer's "snapshot" event.

For every layer with parameters: statistics and histograms of its weight,
bias and weight gradient, and the gradient norm (weight and bias together).
For every ReLU (a `relu` layer, or a dense/conv2d layer with
`"activation": "relu"`): the dead fraction, the share of units that were never
positive over the batch (see `metrics.dead_fraction`). Layers with neither are
left out. Layers without parameters have `weight`, `bias`, `grad` and
`grad_norm` set to None.

`layer_snapshots` builds the list from parameters and ReLU outputs;
`model_snapshot` gets the ReLU outputs from an extra eval-mode forward pass;
`batch_snapshot` also computes the gradients of one batch (for a paused run).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from playground.engine import metrics
from playground.engine.tensor import Tensor, no_grad

if TYPE_CHECKING:  # for annotations only: no runtime dependency on model.py
    from playground.engine.model import Model

_KEY = re.compile(r"^layers\.(\d+)\.(weight|bias)$")


def is_relu(layer_spec: dict[str, Any]) -> bool:
    """True when this layer's output is a ReLU output."""
    return layer_spec.get("type") == "relu" or layer_spec.get("activation") == "relu"


def relu_layers(spec: dict[str, Any]) -> list[int]:
    """Indices of the layers whose output is a ReLU output."""
    return [i for i, layer in enumerate(spec.get("layers", [])) if is_relu(layer)]


def _grad_norm(tensors: Iterable[Tensor | None]) -> float | None:
    total = 0.0
    for t in tensors:
        if t is not None and t.grad is not None:
            g = t.grad.reshape(-1).astype(np.float64, copy=False)
            total += float(np.dot(g, g))
    return float(math.sqrt(total)) if math.isfinite(total) else None


def layer_snapshots(spec: dict[str, Any], named_parameters: Iterable[tuple[str, Tensor]],
                    activations: dict[int, np.ndarray] | None, bins: int = 30) -> list[dict[str, Any]]:
    """The "layers" list of a snapshot event.

    named_parameters: [("layers.{i}.weight" | "layers.{i}.bias", Tensor)];
    activations: {layer index: output of that layer for the batch} for the
    ReLU layers (missing entries give dead_fraction None).
    """
    params: dict[int, dict[str, Tensor]] = {}
    for key, tensor in named_parameters:
        m = _KEY.match(key)
        if m:
            params.setdefault(int(m.group(1)), {})[m.group(2)] = tensor
    activations = activations or {}
    out = []
    for i, layer in enumerate(spec.get("layers", [])):
        relu = is_relu(layer)
        if i not in params and not relu:
            continue
        entry: dict[str, Any] = {"index": i, "type": layer.get("type"), "weight": None, "bias": None,
                 "grad": None, "grad_norm": None, "dead_fraction": None}
        if i in params:
            w, b = params[i].get("weight"), params[i].get("bias")
            entry["weight"] = metrics.stats(w.data, bins) if w is not None else None
            entry["bias"] = metrics.stats(b.data, bins) if b is not None else None
            w_grad = w.grad if w is not None else None
            entry["grad"] = metrics.stats(w_grad, bins) if w_grad is not None else None
            entry["grad_norm"] = _grad_norm([w, b]) if w_grad is not None else None
        if relu and i in activations:
            entry["dead_fraction"] = metrics.dead_fraction(activations[i])
        out.append(entry)
    return out


def model_snapshot(model: Model, xb: np.ndarray | None, relu: list[int] | None = None,
                   bins: int = 30) -> list[dict[str, Any]]:
    """layer_snapshots of `model` with its current gradients; the ReLU outputs
    for the dead fraction come from an extra eval-mode forward pass over xb."""
    relu = relu_layers(model.spec) if relu is None else relu
    acts = None
    if relu and xb is not None:
        with no_grad():
            trace = model.forward_trace(xb)
        acts = {i: trace[i] for i in relu}
    return layer_snapshots(model.spec, model.named_parameters(), acts, bins)


def batch_snapshot(model: Model, loss_fn: Callable[[Tensor, np.ndarray], Tensor], xb: np.ndarray,
                   target: np.ndarray, relu: list[int] | None = None) -> list[dict[str, Any]]:
    """model_snapshot with the gradients of one batch, computed here (grads are
    cleared before and after). Eval mode: dropout would draw from the model's
    Generator and so change the rest of the run."""
    params = model.parameters()
    with np.errstate(all="ignore"):
        for t in params:
            t.grad = None
        loss_fn(model(xb, training=False), target).backward()
        layers = model_snapshot(model, xb, relu)
        for t in params:
            t.grad = None
    return layers
