"""The fitted curve of a model with one input (universal approximation demos).

The 1-D counterpart of decision.py: the model's output over an even grid of x
covering the data plus a margin, so the page can draw the curve over the
training points and a student sees the fit change as hidden units are added.
"""

from __future__ import annotations

import numpy as np

from playground.viz.budget import inference_chunk


def span(values: np.ndarray, margin: float = 0.1) -> tuple[float, float]:
    """(lo, hi) of the finite values widened by `margin` of the span; (-1, 1) if none."""
    v = np.asarray(values, dtype=np.float64).reshape(-1)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return -1.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    width = hi - lo if hi - lo > 1e-9 else 1.0
    return lo - margin * width, hi + margin * width


def fit_curve(model, x: np.ndarray, y: np.ndarray, resolution: int = 200, margin: float = 0.1) -> dict:
    """x: (N, 1) inputs, y: (N,) or (N, 1) targets -> {"x_range", "y_range",
    "resolution", "curve": {"x": [resolution], "y": [resolution]}}.

    ``curve.y`` is the model's output (raw value for a regression; P(class 1)
    for a binary classifier; the winning class for more classes). ``y_range``
    spans the targets, not the predictions, so a wild early fit does not squash
    the data: the page clips the curve instead.
    """
    x_range = span(x, margin)
    grid = np.linspace(x_range[0], x_range[1], resolution, dtype=np.float32)[:, None]
    out = model.predict_proba(grid, batch_size=inference_chunk(model.spec))
    out = np.asarray(out, dtype=np.float64).reshape(resolution, -1)
    if out.shape[1] == 1:
        pred = out[:, 0]
    elif out.shape[1] == 2:
        pred = out[:, 1]
    else:
        pred = out.argmax(axis=1).astype(np.float64)
    pred = np.where(np.isfinite(pred), pred, np.nan)
    return {
        "x_range": list(x_range),
        "y_range": list(span(y, 0.15)),
        "resolution": resolution,
        "curve": {"x": grid[:, 0].astype(np.float64).tolist(),
                  "y": [None if np.isnan(v) else float(v) for v in pred]},
    }
