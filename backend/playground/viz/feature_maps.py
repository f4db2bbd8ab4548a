"""Per-layer activations of one input, for the "inspect" view.

Uses `model.forward_trace(x)` (the output of every layer, NHWC, no grad).
Spatial outputs (H, W, C) become channel-first maps; vector outputs stay a list
of unit values. Each layer names its top-k strongest channels or units.
"""

from __future__ import annotations

import numpy as np


def top_channels(scores: np.ndarray, k: int) -> list[dict]:
    """scores: (C,) -> the k largest as [{"channel", "score"}], strongest first."""
    k = max(0, min(int(k), scores.shape[0]))
    if k == 0:
        return []
    order = np.argsort(-scores, kind="stable")[:k]
    return [{"channel": int(i), "score": float(scores[i])} for i in order]


def layer_activation(index: int, layer_type: str, out: np.ndarray, top_k: int = 5) -> dict:
    """out: one sample's output, (H, W, C) or (F,) (or anything else, flattened)."""
    out = np.nan_to_num(np.asarray(out, dtype=np.float32))
    info: dict = {"index": index, "type": layer_type, "shape": list(out.shape)}
    info["stats"] = {
        "min": float(out.min()) if out.size else 0.0,
        "max": float(out.max()) if out.size else 0.0,
        "mean": float(out.mean()) if out.size else 0.0,
    }
    if out.ndim == 3:
        maps = np.moveaxis(out, -1, 0)  # (C, H, W)
        info["maps"] = maps.tolist()
        info["top"] = top_channels(maps.mean(axis=(1, 2)), top_k)
    else:
        values = out.reshape(-1)
        info["values"] = values.tolist()
        info["top"] = top_channels(values, top_k)
    return info


def feature_maps(model, x: np.ndarray, top_k: int = 5) -> list[dict]:
    """x: one input shaped like the spec's input_shape (no batch axis) -> one dict per layer."""
    batch = np.asarray(x, dtype=np.float32)[None, ...]
    outputs = model.forward_trace(batch)
    layers = model.spec["layers"]
    return [layer_activation(i, layers[i]["type"], out[0], top_k) for i, out in enumerate(outputs)]
