"""Shape inference for one normalized layer: its output shape, parameter count
and, for conv and pool layers, the course-notes formula w' = (w - f + 2p)/s + 1
filled in with numbers (TensorFlow's rule, as tf.nn.conv2d in the notes).
spec.py calls infer_layer() on each layer after checking its keys and values."""
from __future__ import annotations

import math
from typing import Any

from .features import selected
from .im2col import same_padding
from .layers import LAYERS
from .spec_report import Shape, SpecError


def _shape_text(shape: Shape) -> str:
    return "x".join(str(d) for d in shape) if len(shape) == 3 else str(tuple(shape))


def size_formula(n: int, k: int, s: int, padding: str) -> dict[str, Any]:
    """The output size of one dimension with the formula filled in with numbers."""
    before, after = same_padding(n, k, s) if padding == "same" else (0, 0)
    out = (n - k + before + after) // s + 1
    pad = f"2*{before}" if before == after else f"({before}+{after})"
    body = f"({n} - {k} + {pad})/{s}"
    if (n - k + before + after) % s:
        body = f"floor({body})"
    info: dict[str, Any] = {"formula": f"{body} + 1 = {out}", "pad": [before, after], "size": out}
    if padding == "same":
        info["same_rule"] = (f"ceil({n}/{s}) = {out}; total padding max(({out}-1)*{s} + {k} - {n}, 0)"
                             f" = {before + after}: {before} before, {after} after")
    return info


def _window_detail(shape: Shape, k: int, s: int, padding: str, what: str, index: int,
                   kind: str) -> tuple[int, int, dict[str, Any]]:
    """Output (H', W') and the detail dict of a conv or pool layer on input (H, W, C)."""
    h, w = shape[0], shape[1]
    if padding == "valid" and (k > h or k > w):
        raise SpecError(index, "kernel_size" if what == "kernel" else "pool_size",
                        f"layer {index} ({kind}): {what} {k} is larger than its {h}x{w} input "
                        f"with valid padding")
    fh, fw = size_formula(h, k, s, padding), size_formula(w, k, s, padding)
    if fh["size"] < 1 or fw["size"] < 1:
        raise SpecError(index, "stride", f"layer {index} ({kind}): output size is 0")
    detail = {"kernel": k, "stride": s, "padding": padding, "formula": fh["formula"],
              "pad": fh["pad"], "pad_h": fh["pad"], "pad_w": fw["pad"],
              "formula_h": fh["formula"], "formula_w": fw["formula"]}
    if padding == "same":
        detail["same_rule"] = fh["same_rule"]
        detail["same_rule_w"] = fw["same_rule"]
    return fh["size"], fw["size"], detail


def _needs_image(kind: str, shape: Shape, index: int) -> None:
    if len(shape) != 3:
        raise SpecError(index, None, f"layer {index} ({kind}): needs an image input (height, width, "
                                     f"channels), got {shape}; use an input_shape like [28, 28, 1] "
                                     f"and no flatten or dense layer before it")


def infer_layer(config: dict[str, Any], shape: Shape, index: int) -> tuple[Shape, int, dict[str, Any]]:
    """(output_shape, parameter count, detail) of one normalized layer on input ``shape``."""
    kind = config["type"]
    category = LAYERS[kind].category
    if kind == "dense":
        if len(shape) != 1:
            raise SpecError(index, None, f"layer {index} (dense): its input is an image "
                                         f"{_shape_text(shape)}; add a flatten layer before it")
        units = config["units"]
        return (units,), shape[0] * units + (units if config["use_bias"] else 0), {}
    if kind == "conv2d":
        _needs_image(kind, shape, index)
        k, s = config["kernel_size"], config["stride"]
        h, w, detail = _window_detail(shape, k, s, config["padding"], "kernel", index, kind)
        n = k * k * shape[2] * config["filters"] + (config["filters"] if config["use_bias"] else 0)
        return (h, w, config["filters"]), n, detail
    if category == "pooling":
        _needs_image(kind, shape, index)
        k = config["pool_size"]
        s = config["stride"] if config["stride"] is not None else k
        h, w, detail = _window_detail(shape, k, s, config["padding"], "pool", index, kind)
        return (h, w, shape[2]), 0, detail
    if kind == "flatten":
        return (math.prod(shape),), 0, {}
    if kind == "features":
        if index != 0 or shape != (2,):
            raise SpecError(index, None, f"layer {index} (features): must be the first layer, on 2-D "
                                         f"points (input_shape [2]); got input {list(shape)}")
        names = selected(config)
        if not names:
            raise SpecError(index, None, "layer 0 (features): turn on at least one feature")
        return (len(names),), 0, {"features": list(names)}
    return shape, 0, {}
