"""Stacked linear layers lab: dense -> dense -> dense collapses to one matrix.

In the notes' convention for column vectors, layer k computes W_k a + b_k
with W_k of shape (outputs, inputs) (the engine stores its transpose, since it
multiplies row vectors: x @ weight). Without activations the stack is
W3 (W2 (W1 x + b1) + b2) + b3 = (W3 W2 W1) x + (W3 (W2 b1 + b2) + b3):
one dense layer. The lab builds the
stack with the engine twice, without and with ReLU between the layers, checks
the product against the model's own output (equal to rounding for the linear
stack, far off with ReLU), then trains both on the circle set: the linear
stack can only draw a straight line, so it stays near chance.
"""

from __future__ import annotations

import numpy as np

from playground.engine.data.toy import make_2d
from playground.engine.losses import softmax_cross_entropy
from playground.engine.model import build_model
from playground.engine.optim import make_optimizer
from playground.viz.decision import decision_grid

GRID_RESOLUTION = 40


def _spec(hidden: int, activation: str | None) -> dict:
    dense = {"type": "dense", "units": hidden}
    if activation:
        dense = {**dense, "activation": activation}
    return {"input_shape": [2], "layers": [dense, dict(dense), {"type": "dense", "units": 2}],
            "loss": "softmax_cross_entropy"}


def collapse(model) -> tuple[np.ndarray, np.ndarray]:
    """The single layer (W, b) the three dense layers would be if nothing sat between
    them, for column vectors: W = W3 W2 W1 (outputs x inputs), b = W3 (W2 b1 + b2) + b3."""
    p = dict((k, t.data.astype(np.float64)) for k, t in model.named_parameters())
    w = np.eye(2)
    b = np.zeros(2)
    for i in range(3):
        wk, bk = p[f"layers.{i}.weight"].T, p[f"layers.{i}.bias"]  # W_k: (out, in)
        w, b = wk @ w, wk @ b + bk
    return w, b


def _compare(model, x) -> dict:
    w, b = collapse(model)
    out = model(x.astype(np.float32)).data.astype(np.float64)
    diff = float(np.max(np.abs(out - (x @ w.T + b))))  # rows of x are samples: (W x)^T = x W^T
    # float32 forward pass: equal means equal up to its rounding, relative to the outputs' size
    return {"product_weight": w.tolist(), "product_bias": b.tolist(), "max_difference": diff,
            "one_layer": diff <= 1e-4 * max(1.0, float(np.max(np.abs(out))))}


def _train(model, x, y, steps: int, lr: float) -> dict:
    opt = make_optimizer("adam", model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = softmax_cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.data))
    accuracy = float((model.predict_proba(x).argmax(axis=1) == y).mean())
    return {"losses": losses, "accuracy": accuracy}


def linear_stack_lab(hidden: int, steps: int, lr: float, n_samples: int, seed: int) -> dict:
    x, y = make_2d("circle", n_samples, 0.0, np.random.default_rng(seed))
    result = {"points": x.tolist(), "labels": y.tolist(), "steps": steps}
    for name, activation in (("linear", None), ("relu", "relu")):
        model = build_model(_spec(hidden, activation), seed=seed)
        before = _compare(model, x.astype(np.float64))
        trained = _train(model, x, y, steps, lr)
        grid = decision_grid(model, x, GRID_RESOLUTION)
        result[name] = {"before": before, "after": _compare(model, x.astype(np.float64)), **trained,
                        "grid": {k: grid[k] for k in ("x_range", "y_range", "resolution", "probabilities")}}
    return result
