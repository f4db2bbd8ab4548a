"""Universal approximation lab: a box from two steep sigmoids, and boxes adding up to a curve.

The notes' proof: any continuous function on a closed interval is approximated
by boxes (Riemann sums), and a box is the difference of two sigmoids. Two
hidden units with slope s, one at x = a with output weight +h and one at x = b
with output weight -h, give h * (sigmoid(s (x - a)) - sigmoid(s (x - b))): a
bump of height h on [a, b] whose walls get steeper as s grows. N such boxes on
[-3, 3], each as high as sin at its midpoint, make 2N units that follow sin.
Every value is computed with the engine's sigmoid.
"""

from __future__ import annotations

import numpy as np

from playground.engine.layers import activate
from playground.engine.tensor import Tensor

X = np.linspace(-4.0, 4.0, 321)
TARGET_RANGE = (-3.0, 3.0)


def _sigmoid_units(x: np.ndarray, slope: float, edges: np.ndarray) -> np.ndarray:
    """sigmoid(slope * (x - e)) for every edge e: (len(edges), len(x)), by the engine."""
    z = Tensor(slope * (x[None, :] - edges[:, None]))
    return activate(z, "sigmoid").data


def target(x: np.ndarray) -> np.ndarray:
    return np.sin(x)


def approximation_lab(a: float, b: float, slope: float, height: float, boxes: int) -> dict:
    lo, hi = min(a, b), max(a, b)
    pair = _sigmoid_units(X, slope, np.array([lo, hi]))
    units = [
        # hidden unit j: sigmoid(w1 x + b1) with w1 = slope, b1 = -slope * edge; output weight w2
        {"w1": slope, "b1": -slope * lo, "w2": height, "values": (height * pair[0]).tolist()},
        {"w1": slope, "b1": -slope * hi, "w2": -height, "values": (-height * pair[1]).tolist()},
    ]
    bump = height * (pair[0] - pair[1])
    result = {"x": X.tolist(), "units": units, "bump": bump.tolist(), "a": lo, "b": hi,
              "slope": slope, "height": height}
    if boxes:
        edges = np.linspace(*TARGET_RANGE, boxes + 1)
        heights = target((edges[:-1] + edges[1:]) / 2)
        s = _sigmoid_units(X, slope, edges)
        approx = (heights[:, None] * (s[:-1] - s[1:])).sum(axis=0)
        inside = (TARGET_RANGE[0] <= X) & (TARGET_RANGE[1] >= X)
        result["boxes"] = {"n": boxes, "hidden_units": 2 * boxes, "edges": edges.tolist(),
                           "heights": heights.tolist(), "target": target(X).tolist(), "approx": approx.tolist(),
                           "max_error": float(np.max(np.abs(approx - target(X))[inside]))}
    return result
