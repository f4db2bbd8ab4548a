"""Decision-boundary grid for models with 2-D inputs (TensorFlow Playground's heatmap).

The grid spans the data points plus a margin; each cell holds the model's
probability, so the page can colour it at data resolution.
"""

from __future__ import annotations

import numpy as np

from playground.viz.budget import inference_chunk


def grid_bounds(points: np.ndarray, margin: float = 0.1) -> tuple[tuple[float, float], tuple[float, float]]:
    """points: (N, 2) -> ((x_min, x_max), (y_min, y_max)) widened by `margin` of the span."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if pts.size == 0:
        return (-1.0, 1.0), (-1.0, 1.0)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
    lo, hi = lo - margin * span, hi + margin * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def grid_points(x_range, y_range, resolution: int) -> np.ndarray:
    """-> (resolution * resolution, 2) cell centres, row-major, row 0 at y_min."""
    xs = np.linspace(x_range[0], x_range[1], resolution, dtype=np.float32)
    ys = np.linspace(y_range[0], y_range[1], resolution, dtype=np.float32)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def decision_grid(model, points: np.ndarray, resolution: int = 60, margin: float = 0.1) -> dict:
    """Probabilities of `model` over a grid covering `points` (N, 2).

    Binary models (one output, or two classes) give P(class 1) per cell; with
    more classes the cell holds the winning class's probability and `labels`
    its index.
    """
    x_range, y_range = grid_bounds(points, margin)
    cells = grid_points(x_range, y_range, resolution)
    proba = model.predict_proba(cells, batch_size=inference_chunk(model.spec))
    proba = np.asarray(proba, dtype=np.float32)
    if proba.ndim == 1:
        proba = proba[:, None]
    classes = max(2, proba.shape[1])
    result = {"x_range": list(x_range), "y_range": list(y_range), "resolution": resolution, "classes": classes}
    if proba.shape[1] == 1:
        result["probabilities"] = proba[:, 0].reshape(resolution, resolution).tolist()
    elif proba.shape[1] == 2:
        result["probabilities"] = proba[:, 1].reshape(resolution, resolution).tolist()
    else:
        result["probabilities"] = proba.max(axis=1).reshape(resolution, resolution).tolist()
        result["labels"] = proba.argmax(axis=1).reshape(resolution, resolution).tolist()
    return result
