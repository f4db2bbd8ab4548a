"""Gradient descent lab: fit y = w x + b by MSE, full batch vs mini-batch SGD.

The data are seeded (x uniform in [-1, 1], y = 2x - 1 + noise), so the loss
surface over (w, b) is a fixed bowl the page draws as a contour map. Both
paths start at the same point and use the engine: two scalar parameter
Tensors, losses.mse, backward() and an engine optimizer. Full batch follows
the true gradient; each SGD step sees a random batch, an unbiased but noisy
estimate, so its path wobbles. A learning rate above about 2 / (largest
curvature) makes either path oscillate outwards: it diverges.
"""

from __future__ import annotations

import numpy as np

from playground.engine.data.split import iterate_minibatches
from playground.engine.losses import mse
from playground.engine.optim import make_optimizer
from playground.engine.tensor import Tensor
from playground.viz.labs import LabError

TRUE_W, TRUE_B, NOISE = 2.0, -1.0, 0.4
W_RANGE = (-3.0, 7.0)
B_RANGE = (-6.0, 4.0)
GRID = 60
ESCAPE = 1e4  # beyond this the path has left any sensible view: call it diverged


def make_data(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    return x, TRUE_W * x + TRUE_B + NOISE * rng.standard_normal(n)


def loss_grid(x: np.ndarray, y: np.ndarray) -> dict:
    """MSE at every (w, b) of a GRID x GRID lattice; row r is b[r], column c is w[c]."""
    ws = np.linspace(*W_RANGE, GRID)
    bs = np.linspace(*B_RANGE, GRID)
    # (b, w, n) in one broadcast: 60 * 60 * 500 floats at most
    resid = ws[None, :, None] * x[None, None, :] + bs[:, None, None] - y[None, None, :]
    return {"w": ws.tolist(), "b": bs.tolist(), "loss": (resid ** 2).mean(axis=2).tolist()}


def _path(x, y, start, lr, optimizer, steps, batch_size, rng) -> dict:
    w = Tensor(np.array(float(start[0])), requires_grad=True)
    b = Tensor(np.array(float(start[1])), requires_grad=True)
    opt = make_optimizer(optimizer, [w, b], lr=lr)
    points, losses, diverged = [[float(w.data), float(b.data)]], [], False

    def batches():
        while True:
            yield from iterate_minibatches(x, y, batch_size, shuffle=batch_size < len(x), rng=rng)

    with np.errstate(all="ignore"):
        for _, (xb, yb) in zip(range(steps), batches()):
            loss = mse(w * xb + b, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(float(loss.data))
            points.append([float(w.data), float(b.data)])
            if not np.all(np.isfinite(points[-1])) or max(map(abs, points[-1])) > ESCAPE:
                diverged = True
                break
    final = float(np.mean((float(w.data) * x + float(b.data) - y) ** 2)) if not diverged else None
    return {"points": points, "losses": losses, "diverged": diverged, "final_loss": final}


def descent_lab(n_samples: int, batch_size: int, lr: float, steps: int, start_w: float, start_b: float,
                optimizer: str, seed: int) -> dict:
    if batch_size > n_samples:
        raise LabError("batch_size", f"batch_size must be at most n_samples ({n_samples})")
    x, y = make_data(n_samples, seed)
    # The least-squares optimum, for the page to mark and the tests to check.
    design = np.stack([x, np.ones_like(x)], axis=1)
    best, *_ = np.linalg.lstsq(design, y, rcond=None)
    start = (start_w, start_b)
    rng = np.random.default_rng(seed + 1)
    return {
        "data": {"x": x.tolist(), "y": y.tolist()},
        "grid": loss_grid(x, y),
        "optimum": {"w": float(best[0]), "b": float(best[1]),
                    "loss": float(np.mean((design @ best - y) ** 2))},
        "full_batch": _path(x, y, start, lr, optimizer, steps, n_samples, rng),
        "sgd": _path(x, y, start, lr, optimizer, steps, batch_size, rng),
        "batch_size": batch_size,
        "lr": lr,
    }
