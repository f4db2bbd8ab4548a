"""Activations lab: each activation and its slope, and what depth does to them.

The slope f'(x) comes from the engine's backward() through the activation (not
a hand-written formula). Depth: a chain of `depth` one-unit layers
a_k = f(w a_{k-1}), a_0 = x; backward() gives d a_k / d x for every k, the
product of the per-layer factors w f'(z_k), z_k = w a_{k-1}. Sigmoid's slope
is at most 1/4, so each factor is at most |w|/4: below 1 (the gradient must
shrink) only while |w| < 4. tanh and ReLU have slope up to 1: bound |w|. A ReLU
passes w times the gradient where z_k > 0 and nothing where z_k <= 0, for this
input; a unit is dead only when that holds for every input of the data.
"""

from __future__ import annotations

import numpy as np

from playground.engine.layers import activate
from playground.engine.tensor import Tensor

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu")
LEAKY_ALPHA = 0.01  # the engine's default slope of leaky ReLU for z < 0
CURVE = np.linspace(-6.0, 6.0, 121)


def _curve(name: str, alpha: float) -> tuple[list, list]:
    x = Tensor(CURVE.copy(), requires_grad=True)
    y = activate(x, name, alpha=alpha)
    y.sum().backward()  # elementwise: the gradient of the sum is each point's slope
    return y.data.tolist(), x.grad.tolist()


def _factor(name: str, a_prev: float, weight: float, alpha: float) -> float:
    """d a_k / d a_(k-1) = w f'(w a_(k-1)), by backward() through one layer."""
    t = Tensor(np.array(float(a_prev)), requires_grad=True)
    activate(t * weight, name, alpha=alpha).backward()
    return float(t.grad)


def activations_lab(activation: str, x: float, depth: int, weight: float, alpha: float = LEAKY_ALPHA) -> dict:
    values, slopes = _curve(activation, alpha)
    chain, grads = [], []
    for k in range(1, depth + 1):
        # one graph per depth keeps each gradient d a_k / d x exact and separate
        t = Tensor(np.array(float(x)), requires_grad=True)
        a = t
        for _ in range(k):
            a = activate(a * weight, activation, alpha=alpha)
        a.backward()
        chain.append(float(a.data))
        grads.append(float(t.grad))
    inputs = [float(x), *chain[:-1]]  # a_(k-1) for k = 1..depth
    max_slope = float(np.max(np.abs(slopes)))
    return {
        "activation": activation, "x": x, "depth": depth, "weight": weight, "alpha": alpha,
        "curve": {"x": CURVE.tolist(), "y": values, "slope": slopes},
        "outputs": chain,
        "gradients": grads,
        # z_k = w a_(k-1), the input of layer k's activation, and its factor w f'(z_k)
        "pre_activations": [weight * v for v in inputs],
        "factors": [_factor(activation, v, weight, alpha) for v in inputs],
        "max_slope": max_slope,
        "bound": abs(weight) * max_slope,  # no layer's factor can exceed |w| max|f'|
    }
