"""The model's fast forward plan: the same layers on batch-innermost kernels.

A Model's layers take and return NHWC (engine/layers.py, reference kernels).
For training speed the Model instead runs this plan: from the first conv/pool
layer to the next flatten, activations stay batch-innermost, (C, H, W, N),
where im2col and col2im copy long contiguous runs and each matmul's output
already is the next layer's input (measured about 2x over NHWC). The plan
converts once entering that stretch and once leaving it; flatten emits NHWC
order, so dense weights and weights files do not depend on the layout.

One more reordering: a monotone activation right before a max-pool runs after
it instead. max(f(a), f(b)) == f(max(a, b)) for a non-decreasing f, and the
gradient reaches the same input, so the result is the same with 4x fewer
elements to activate for a 2x2 pool.

A plan is a list of callables ``step(h: Tensor, training: bool) -> Tensor``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from playground.engine.fast.conv import conv2d_chwn
from playground.engine.fast.pool import avg_pool2d_chwn, max_pool2d_chwn
from playground.engine.layers import LAYERS, MONOTONE_ACTIVATIONS, Activation, Conv2D, Layer, Pool2D, activate
from playground.engine.tensor import Tensor

Step = Callable[[Tensor, bool], Tensor]

_ENTERS = ("conv2d", "maxpool2d", "avgpool2d")   # layers that switch the plan to (C, H, W, N)
_ACTIVATIONS = frozenset(t for t, spec in LAYERS.items() if spec.category == "activation")


def swap_layout(x: Tensor, _training: bool = False) -> Tensor:
    """NHWC <-> CHWN (the permutation (3, 1, 2, 0) is its own inverse), contiguous
    both ways because the kernels slice long contiguous runs."""
    out = np.ascontiguousarray(x.data.transpose(3, 1, 2, 0))
    return Tensor.from_op(out, (x,), lambda g: (np.ascontiguousarray(g.transpose(3, 1, 2, 0)),),
                          "swap_layout")


def flatten_chwn(x: Tensor, _training: bool = False) -> Tensor:
    """(C, H, W, N) -> (N, H*W*C) in NHWC order (h, w, c), as one copy."""
    c, h, w, n = x.shape
    out = x.data.transpose(3, 1, 2, 0).reshape(n, h * w * c)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        return (np.ascontiguousarray(g.reshape(n, h, w, c).transpose(3, 1, 2, 0)),)
    return Tensor.from_op(out, (x,), backward, "flatten_chwn")


# The parameters the batch-innermost steps below implement. A layer whose config
# sets anything else (an option added to layers.py later) runs its own reference
# forward instead, so a new option can never be silently ignored here.
_IMPLEMENTED = {
    "conv2d": {"type", "filters", "kernel_size", "stride", "padding", "activation", "use_bias",
               "kernel_init", "bias_init", "init_stddev"},
    "maxpool2d": {"type", "pool_size", "stride", "padding"},
    "avgpool2d": {"type", "pool_size", "stride", "padding"},
}


def _chwn_step(layer: Layer) -> Step | None:
    """The batch-innermost version of one layer, or None if it has none."""
    kind = layer.type
    known = _IMPLEMENTED.get(kind)
    if known is not None and any(v not in (None, False, 0) for k, v in layer.config.items() if k not in known):
        return None
    if kind == "conv2d":
        assert isinstance(layer, Conv2D)  # the kind names the class (for the type checker)

        def conv(h: Tensor, _training: bool) -> Tensor:
            y = conv2d_chwn(h, layer.weight, layer.bias, layer.stride, layer.padding)
            return activate(y, layer.activation, axis=0)
        return conv
    if kind in ("maxpool2d", "avgpool2d"):
        assert isinstance(layer, Pool2D)
        op = max_pool2d_chwn if kind == "maxpool2d" else avg_pool2d_chwn
        return lambda h, _training: op(h, layer.size, layer.stride, layer.padding)
    if kind == "flatten":
        return flatten_chwn
    if kind in _ACTIVATIONS:
        assert isinstance(layer, Activation)
        return lambda h, _training: activate(h, kind, layer.alpha, axis=0)   # channels first
    if kind == "dropout":
        return layer.forward              # elementwise: any layout
    return None


def _is_monotone_activation(layer: Layer | None) -> bool:
    return layer is not None and layer.type in _ACTIVATIONS and layer.type in MONOTONE_ACTIVATIONS


def make_plan(layers: list[Layer]) -> list[Step]:
    """The fast plan for a model's layers (see the module docstring)."""
    order = list(layers)
    for i in range(len(order) - 1):
        # (not before an antialiased pool: a blur does not commute with the activation)
        if (_is_monotone_activation(order[i]) and order[i + 1].type == "maxpool2d"
                and not order[i + 1].config.get("antialias")):
            order[i], order[i + 1] = order[i + 1], order[i]
    plan: list[Step] = []
    chwn = False
    for layer in order:
        if not chwn and layer.type in _ENTERS:
            plan.append(swap_layout)
            chwn = True
        step = _chwn_step(layer) if chwn else None
        if chwn and step is None:         # a layer without a batch-innermost version
            plan.append(swap_layout)
            chwn = False
        plan.append(step if step is not None else layer.forward)
        if layer.type == "flatten":
            chwn = False
    if chwn:
        plan.append(swap_layout)
    return plan
