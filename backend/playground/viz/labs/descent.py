"""Gradient descent lab: fit y = w x + b by MSE, full batch vs mini-batch SGD.

The data are seeded (x uniform in [-1, 1], y = 2x - 1 + noise), so the loss
surface over (w, b) is a fixed bowl the page draws as a contour map. Both
paths start at the same point and use the engine: two scalar parameter
Tensors, losses.mse, backward() and an engine optimizer. Full batch follows
the true gradient; each SGD step sees a random batch, an unbiased but noisy
estimate, so its path wobbles. Each path also records the full-data loss at
every point, so SGD's curve is not just the loss of its own batch. The loss is
quadratic in (w, b) with Hessian H = 2 [[mean x^2, mean x], [mean x, 1]]: plain
gradient descent is stable only for a learning rate below 2 / lambda_max(H),
above it full batch oscillates outwards and diverges.
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
    full = [_full_loss(x, y, *points[0])]

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
            full.append(_full_loss(x, y, *points[-1]))
            if not np.all(np.isfinite(points[-1])) or max(map(abs, points[-1])) > ESCAPE:
                diverged = True
                break
    final = float(np.mean((float(w.data) * x + float(b.data) - y) ** 2)) if not diverged else None
    # losses: the loss of the batch each step used; full_losses: the loss on all
    # the data at every point of the path (the start included).
    return {"points": points, "losses": losses, "full_losses": full, "diverged": diverged, "final_loss": final}


def _full_loss(x: np.ndarray, y: np.ndarray, w: float, b: float) -> float | None:
    with np.errstate(all="ignore"):
        v = float(np.mean((w * x + b - y) ** 2))
    return v if np.isfinite(v) else None


def stability_limit(x: np.ndarray) -> dict:
    """lambda_max of the MSE's Hessian in (w, b), and 2 / lambda_max: the largest
    learning rate at which plain gradient descent does not diverge."""
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    lam = float(np.linalg.eigvalsh(hessian)[-1])
    return {"lambda_max": lam, "lr_limit": 2 / lam}


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
        "n_samples": n_samples,
        "optimizer": optimizer,
        "stability": stability_limit(x),
    }
