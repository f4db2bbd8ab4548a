"""Activations lab: each activation and its slope, and what depth does to them.

The slope f'(x) comes from the engine's backward() through the activation (not
a hand-written formula). Depth: a chain of `depth` one-unit layers
a_k = f(w a_{k-1}), a_0 = x; backward() gives d a_k / d x for every k, the
product of the slopes w f'(.) along the way. Sigmoid's slope is at most 0.25,
so with w = 1 the gradient shrinks at least fourfold per layer (vanishing
gradients); a ReLU passes it unchanged where its input is positive and kills
it where it is negative (dead ReLU); tanh's slope 1 at 0 decays once saturated.
"""

from __future__ import annotations

import numpy as np

from playground.engine.layers import activate
from playground.engine.tensor import Tensor

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu")
CURVE = np.linspace(-6.0, 6.0, 121)


def _curve(name: str) -> tuple[list, list]:
    x = Tensor(CURVE.copy(), requires_grad=True)
    y = activate(x, name)
    y.sum().backward()  # elementwise: the gradient of the sum is each point's slope
    return y.data.tolist(), x.grad.tolist()


def activations_lab(activation: str, x: float, depth: int, weight: float) -> dict:
    values, slopes = _curve(activation)
    chain, grads = [], []
    for k in range(1, depth + 1):
        # one graph per depth keeps each gradient d a_k / d x exact and separate
        t = Tensor(np.array(float(x)), requires_grad=True)
        a = t
        for _ in range(k):
            a = activate(a * weight, activation)
        a.backward()
        chain.append(float(a.data))
        grads.append(float(t.grad))
    return {
        "activation": activation, "x": x, "depth": depth, "weight": weight,
        "curve": {"x": CURVE.tolist(), "y": values, "slope": slopes},
        "outputs": chain,
        "gradients": grads,
        "max_slope": float(np.max(np.abs(slopes))),
    }
