"""What each hidden unit computes, over the input space (TensorFlow Playground's neurons).

For a model with two inputs, every hidden unit's output over a grid of the
input plane: one small image per unit. For one input, every unit's output
along an x grid: one curve per unit, and the output layer's weights on them,
so the page can draw each unit's contribution w2_j * h_j(x) and their sum.

A hidden layer here is a dense layer that is not the last, seen after its
activation (its own `activation`, or an activation layer right after it). A
ReLU unit is dead when it outputs 0 for every training point: the course
notes' definition, checked on the data, not on the grid.

    unit_views(model, x_train) -> {"kind": "2d" | "1d", "x_range", ["y_range"],
        "resolution", ["x"], "layers": [{"index", "output_index", "activation",
        "units": [{"unit", "values", "dead", "weights", "bias"}], "shown", "total"}],
        ["readout": {"weights": [[...]], "bias": [...]}], ["output": [...] (1 input)],
        "inputs": [{"name", "label", "values"}]}
"""

from __future__ import annotations

import numpy as np

from playground.engine.features import FEATURES, selected
from playground.engine.layers import MONOTONE_ACTIVATIONS
from playground.viz.budget import inference_chunk
from playground.viz.decision import grid_bounds, grid_points
from playground.viz.fit_curve import span

# Activation layers whose outputs are the dense layer's units, one for one
# (softmax mixes the units; linear is no activation).
ACTIVATION_LAYERS = MONOTONE_ACTIVATIONS - {"linear"}
GRID_2D = 24  # pixels per side of a unit's image: enough for a boundary, small on the wire
GRID_1D = 120
MAX_UNITS = 16  # per layer, the first ones; the drawing says how many are left out
MAX_DATA = 20_000  # training points checked for dead units (all of them for the built-in sets)


def hidden_layers(spec: dict) -> list[tuple[int, int, str | None]]:
    """[(dense index, index of the layer whose output is the units, activation)]."""
    layers = spec["layers"]
    dense = [i for i, layer in enumerate(layers) if layer["type"] == "dense"]
    out = []
    for i in dense[:-1]:
        act = layers[i].get("activation")
        at = i
        if not act or act == "linear":
            nxt = layers[i + 1] if i + 1 < len(layers) else None
            if nxt is not None and nxt["type"] in ACTIVATION_LAYERS:
                act, at = nxt["type"], i + 1
            else:
                act = None
        out.append((i, at, act))
    return out


def _round(a: np.ndarray, digits: int = 2) -> list:
    return np.round(np.asarray(a, dtype=np.float64), digits).tolist()


def _inputs(spec: dict, grid: np.ndarray, on_grid: list, shape: tuple) -> list[dict]:
    """What the first dense layer reads, each over the grid: the raw coordinates,
    or the chosen features of a leading `features` layer."""
    first = spec["layers"][0] if spec["layers"] else {}
    if first.get("type") == "features":
        names, values = selected(first), on_grid[0]
    else:
        names, values = (("x1", "x2") if shape == (2,) else ("x",)), grid
    out = []
    for k, name in enumerate(names):
        v = values[:, k]
        label = FEATURES[name][0] if name in FEATURES else name
        out.append({"name": name, "label": label,
                    "values": _round(v.reshape(GRID_2D, GRID_2D) if shape == (2,) else v)})
    return out


def _ever_positive(model, x: np.ndarray, at: list[int]) -> dict[int, np.ndarray]:
    """{layer index: which of its units output > 0 for some row of x}, the
    data pushed through in chunks: a whole trace of 20,000 points through a
    wide model would hold every layer's outputs at once (about 500 MB for
    five 1,000-unit layers)."""
    alive: dict[int, np.ndarray] = {}
    if not at:
        return alive
    chunk = inference_chunk(model.spec)
    for lo in range(0, len(x), chunk):
        trace = model.forward_trace(x[lo:lo + chunk])
        for i in at:
            seen = np.any(trace[i].reshape(len(trace[i]), -1) > 0, axis=0)
            alive[i] = seen if i not in alive else alive[i] | seen
    return alive


def unit_views(model, x_train: np.ndarray, extent: np.ndarray | None = None) -> dict | None:
    """Per-unit pictures for models with one or two inputs; None otherwise.
    The grid covers `extent` (all the points the page draws; default x_train)."""
    shape = tuple(model.report.input_shape)
    if shape not in ((1,), (2,)):
        return None
    found = hidden_layers(model.spec)
    extent = np.asarray(x_train if extent is None else extent, dtype=np.float32)
    x_train = np.asarray(x_train, dtype=np.float32)[:MAX_DATA]
    if shape == (2,):
        x_range, y_range = grid_bounds(extent)
        grid = grid_points(x_range, y_range, GRID_2D)
        result = {"kind": "2d", "x_range": list(x_range), "y_range": list(y_range), "resolution": GRID_2D}
    else:
        lo, hi = span(extent)
        xs = np.linspace(lo, hi, GRID_1D, dtype=np.float32)
        grid = xs[:, None]
        result = {"kind": "1d", "x_range": [lo, hi], "resolution": GRID_1D, "x": _round(xs, 4)}
    on_grid = model.forward_trace(grid)
    relu_at = [at for _, at, act in found if act == "relu"]
    alive = _ever_positive(model, x_train, relu_at) if len(x_train) else None
    params = {k: t.data for k, t in model.named_parameters()}
    layers = []
    for dense, at, act in found:
        values = on_grid[at].reshape(len(grid), -1)
        w, b = params.get(f"layers.{dense}.weight"), params.get(f"layers.{dense}.bias")
        total = values.shape[1]
        if act == "relu" and alive is not None:
            dead = ~alive[at]
        else:
            dead = np.zeros(total, dtype=bool)
        units = []
        for u in range(min(total, MAX_UNITS)):
            v = values[:, u].reshape(GRID_2D, GRID_2D) if shape == (2,) else values[:, u]
            units.append({"unit": u, "values": _round(v), "dead": bool(dead[u]),
                          "weights": _round(w[:, u], 4) if w is not None else [],
                          "bias": float(np.round(b[u], 4)) if b is not None else 0.0})
        layers.append({"index": dense, "output_index": at, "activation": act, "units": units,
                       "shown": len(units), "total": total, "dead": int(dead.sum())})
    result["layers"] = layers
    result["dead_checked_on"] = int(len(x_train))  # the training points the dead test read
    result["inputs"] = _inputs(model.spec, grid, on_grid, shape)
    if shape == (1,):
        # The network's raw output along x (the last layer's value, before any loss): the output tile.
        result["output"] = _round(np.asarray(on_grid[-1]).reshape(len(grid), -1)[:, -1], 4)
    # The last dense layer reads the last hidden layer: its weights turn units into the output.
    dense_all = [i for i, layer in enumerate(model.spec["layers"]) if layer["type"] == "dense"]
    if found and dense_all:
        last = dense_all[-1]
        w, b = params.get(f"layers.{last}.weight"), params.get(f"layers.{last}.bias")
        if w is not None:
            result["readout"] = {"index": last, "weights": _round(w[:MAX_UNITS], 4),
                                 "bias": _round(b, 4) if b is not None else None}
    return result
