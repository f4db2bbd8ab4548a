"""What the worker adds to a weight snapshot before it leaves: conv filters as
images, and for models of one or two inputs each hidden unit's view and the
decision grid (playground.viz, optional: without it snapshots go out plain)."""

from __future__ import annotations

from typing import Any

import numpy as np

# Filter images ride along with snapshots only up to this many filters per layer.
MAX_FILTERS = 64


def add_unit_views(ev: dict, model: Any, x_train: np.ndarray, extent: np.ndarray) -> None:
    """Each hidden unit over the input plane (2 inputs) or line (1 input) and, for
    two inputs, the decision grid, from the weights of this very step."""
    try:
        from playground.viz.decision import decision_grid
        from playground.viz.units import unit_views
    except ImportError:
        return
    views = unit_views(model, x_train, extent)
    if views is None:
        return
    ev["units"] = views
    if views["kind"] == "2d":
        grid = decision_grid(model, extent, resolution=40)
        ev["decision"] = {**grid, "probabilities": np.round(np.asarray(grid["probabilities"]), 3).tolist()}


def add_filter_images(ev: dict, model: Any) -> None:
    """Conv filters as [0, 1] images (playground.viz, optional) on each conv layer."""
    try:
        from playground.viz.filters import filter_images
    except ImportError:
        return
    weights = dict(model.named_parameters())
    for layer in ev.get("layers", []):
        if layer.get("type") != "conv2d":
            continue
        w = weights.get(f"layers.{layer['index']}.weight")
        if w is None:
            continue
        images, _ = filter_images(w.data[..., :MAX_FILTERS])
        layer["filters"] = images.round(3).tolist()
