"""Model spec validation with shape inference: validate_spec(spec) -> SpecReport.

A spec is JSON (see docs/architecture.md, engine.model). The validator checks
every key against the LAYERS table, fills in defaults, infers each layer's
input and output shape and parameter count, and explains conv/pool output
sizes with the course-notes formula w' = (w - f + 2p)/s + 1 filled in with
numbers. It allocates no weights, so the API can call it on every keystroke.
Errors are SpecError naming the layer index and the field at fault.
"""
from __future__ import annotations

import difflib
import math
import numbers
from dataclasses import dataclass, field

from .features import selected
from .im2col import conv_output_size, same_padding  # noqa: F401  (re-exported)
from .layers import LAYERS, Param

LOSS_NAMES = ("softmax_cross_entropy", "mse", "binary_cross_entropy")
DEFAULT_LOSS = "softmax_cross_entropy"
SPEC_KEYS = ("input_shape", "layers", "loss", "name", "description")


class SpecError(ValueError):
    """layer: index in spec["layers"] (None for the whole spec); field: key at fault."""

    def __init__(self, layer: int | None, field: str | None, message: str):
        super().__init__(message)
        self.layer, self.field, self.message = layer, field, message

    def to_dict(self) -> dict:
        return {"layer": self.layer, "field": self.field, "message": self.message}


@dataclass
class LayerInfo:
    index: int
    type: str
    input_shape: tuple
    output_shape: tuple
    params: int
    config: dict                    # the layer with every default filled in
    detail: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"index": self.index, "type": self.type, "input_shape": list(self.input_shape),
                "output_shape": list(self.output_shape), "params": self.params,
                "config": dict(self.config), "detail": dict(self.detail)}


@dataclass
class SpecReport:
    input_shape: tuple
    layers: list
    total_params: int
    output_shape: tuple
    loss: str
    num_outputs: int
    spec: dict                      # normalized: defaults filled in, loss set
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"input_shape": list(self.input_shape), "layers": [li.to_dict() for li in self.layers],
                "total_params": self.total_params, "output_shape": list(self.output_shape),
                "loss": self.loss, "num_outputs": self.num_outputs, "warnings": list(self.warnings)}


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, numbers.Integral):
        return "integer"
    if isinstance(value, numbers.Real):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _shape_text(shape: tuple) -> str:
    return "x".join(str(d) for d in shape) if len(shape) == 3 else str(tuple(shape))


# --- output sizes (TensorFlow's rule, as tf.nn.conv2d in the course notes) ----------

def size_formula(n: int, k: int, s: int, padding: str) -> dict:
    """The output size of one dimension with the formula filled in with numbers."""
    before, after = same_padding(n, k, s) if padding == "same" else (0, 0)
    out = (n - k + before + after) // s + 1
    pad = f"2*{before}" if before == after else f"({before}+{after})"
    body = f"({n} - {k} + {pad})/{s}"
    if (n - k + before + after) % s:
        body = f"floor({body})"
    info = {"formula": f"{body} + 1 = {out}", "pad": [before, after], "size": out}
    if padding == "same":
        info["same_rule"] = (f"ceil({n}/{s}) = {out}; total padding max(({out}-1)*{s} + {k} - {n}, 0)"
                             f" = {before + after}: {before} before, {after} after")
    return info


def _window_detail(shape: tuple, k: int, s: int, padding: str, what: str, index: int, kind: str):
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


# --- parameter checks ----------------------------------------------------------------

def _check_param(p: Param, value, index: int, kind: str):
    where = f"layer {index} ({kind}): "
    if value is None:
        if p.nullable:
            return None
        raise SpecError(index, p.name, f"{where}{p.name} must not be null")
    if p.kind == "int":
        if not _is_int(value):
            raise SpecError(index, p.name, f"{where}{p.name} must be an integer, got {value!r} "
                                           f"({_json_type(value)})")
        value = int(value)
    elif p.kind == "float":
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise SpecError(index, p.name, f"{where}{p.name} must be a number, got {value!r} "
                                           f"({_json_type(value)})")
        try:
            value = float(value)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise SpecError(index, p.name, f"{where}{p.name} must be finite, got {value!r}")
    elif p.kind == "bool":
        if not isinstance(value, bool):
            raise SpecError(index, p.name, f"{where}{p.name} must be true or false, got {value!r} "
                                           f"({_json_type(value)})")
    else:
        allowed = ", ".join(repr(c) for c in p.choices)
        if not isinstance(value, str) or value.lower() not in p.choices:
            raise SpecError(index, p.name, f"{where}{p.name} must be one of {allowed}, got {value!r}")
        value = value.lower()
    if p.minimum is not None and value < p.minimum:
        raise SpecError(index, p.name, f"{where}{p.name} must be >= {p.minimum:g}, got {value!r}")
    if p.maximum is not None and (value >= p.maximum if p.exclusive_maximum else value > p.maximum):
        interval = f"[{p.minimum:g}, {p.maximum:g}{')' if p.exclusive_maximum else ']'}"
        raise SpecError(index, p.name, f"{where}{p.name} must be in {interval}, got {value!r}")
    return value


def normalize_layer(layer, index: int) -> dict:
    """Check one layer's keys and values against LAYERS; return it with defaults filled in."""
    if not isinstance(layer, dict):
        raise SpecError(index, None, f"layer {index}: must be an object with a 'type', "
                                     f"got {_json_type(layer)}")
    kind = layer.get("type")
    if kind is None:
        raise SpecError(index, "type", f"layer {index}: missing 'type' (one of {', '.join(LAYERS)})")
    if not isinstance(kind, str) or kind not in LAYERS:
        near = difflib.get_close_matches(str(kind), LAYERS, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else f" (known: {', '.join(LAYERS)})"
        raise SpecError(index, "type", f"layer {index}: unknown type {kind!r}{hint}")
    table = LAYERS[kind]
    unknown = [k for k in layer if k != "type" and k not in table.param_names]
    if unknown:
        takes = ", ".join(table.param_names) or "no parameters"
        names = ", ".join(repr(k) for k in unknown)
        near = difflib.get_close_matches(str(unknown[0]), table.param_names, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else ""
        raise SpecError(index, str(unknown[0]),
                        f"layer {index} ({kind}): unknown key{'s' if len(unknown) > 1 else ''} "
                        f"{names} ({kind} takes {takes}){hint}")
    config = {"type": kind}
    for p in table.params:
        if p.name not in layer:
            if p.required:
                raise SpecError(index, p.name, f"layer {index} ({kind}): '{p.name}' is required")
            config[p.name] = p.default
        else:
            config[p.name] = _check_param(p, layer[p.name], index, kind)
    if table.category == "pooling" and config["stride"] is None:
        config["stride"] = config["pool_size"]
    return config


def _check_input_shape(shape) -> tuple:
    if shape is None:
        raise SpecError(None, "input_shape", "input_shape is required, e.g. [28, 28, 1] or [2]")
    ok = isinstance(shape, (list, tuple)) and len(shape) in (1, 3)
    if not ok or not all(_is_int(d) and d >= 1 for d in shape):
        raise SpecError(None, "input_shape", "input_shape must be [features] or [height, width, channels] "
                                             f"of positive integers, got {shape!r}")
    return tuple(int(d) for d in shape)


# --- shape inference ---------------------------------------------------------------------

def _infer(config: dict, shape: tuple, index: int) -> tuple[tuple, int, dict]:
    """(output_shape, parameter count, detail) of one normalized layer on input ``shape``."""
    kind = config["type"]
    if kind == "dense":
        if len(shape) != 1:
            raise SpecError(index, None, f"layer {index} (dense): its input is an image "
                                         f"{_shape_text(shape)}; add a flatten layer before it")
        units = config["units"]
        return (units,), shape[0] * units + (units if config["use_bias"] else 0), {}
    if kind in ("conv2d", "maxpool2d", "avgpool2d"):
        if len(shape) != 3:
            raise SpecError(index, None, f"layer {index} ({kind}): needs an image input (height, width, "
                                         f"channels), got {shape}; use an input_shape like [28, 28, 1] "
                                         f"and no flatten or dense layer before it")
        if kind == "conv2d":
            k, s = config["kernel_size"], config["stride"]
            h, w, detail = _window_detail(shape, k, s, config["padding"], "kernel", index, kind)
            n = k * k * shape[2] * config["filters"] + (config["filters"] if config["use_bias"] else 0)
            return (h, w, config["filters"]), n, detail
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


def _check_loss(loss, output_shape: tuple) -> str:
    if loss not in LOSS_NAMES:
        raise SpecError(None, "loss", f"unknown loss {loss!r} (known: {', '.join(LOSS_NAMES)})")
    out = tuple(output_shape)
    if loss == "softmax_cross_entropy" and (len(out) != 1 or out[0] < 2):
        raise SpecError(None, "loss", f"loss softmax_cross_entropy needs the last layer to output (K,) "
                                      f"with K >= 2 classes, got {out}")
    if loss == "binary_cross_entropy" and out != (1,):
        raise SpecError(None, "loss", f"loss binary_cross_entropy needs the last layer to output (1,), "
                                      f"got {out}")
    return loss


def _warnings(configs: list, loss: str) -> list:
    last = configs[-1]
    out = []
    fused = {"softmax_cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss)
    if fused and (last["type"] == fused or last.get("activation") == fused):
        out.append(f"layer {len(configs) - 1} ({last['type']}): the {loss} loss applies {fused} to the "
                   f"outputs itself; a {fused} before it is applied twice and slows learning")
    return out


def validate_spec(spec) -> SpecReport:
    """Check ``spec`` and infer shapes; raises SpecError on the first problem."""
    if not isinstance(spec, dict):
        raise SpecError(None, None, f"spec must be an object with input_shape and layers, "
                                    f"got {_json_type(spec)}")
    unknown = [k for k in spec if k not in SPEC_KEYS]
    if unknown:
        raise SpecError(None, str(unknown[0]), f"unknown key{'s' if len(unknown) > 1 else ''} "
                                               f"{', '.join(repr(k) for k in unknown)} in spec "
                                               f"(allowed: {', '.join(SPEC_KEYS)})")
    input_shape = _check_input_shape(spec.get("input_shape"))
    layers = spec.get("layers")
    if not isinstance(layers, (list, tuple)) or not layers:
        raise SpecError(None, "layers", "layers must be a non-empty list of layer objects")
    infos, configs, shape, total = [], [], input_shape, 0
    for index, layer in enumerate(layers):
        config = normalize_layer(layer, index)
        out, n, detail = _infer(config, shape, index)
        infos.append(LayerInfo(index, config["type"], shape, out, n, config, detail))
        configs.append(config)
        shape, total = out, total + n
    loss = spec.get("loss", DEFAULT_LOSS)
    if loss is None:
        loss = DEFAULT_LOSS
    loss = _check_loss(loss, shape)
    normalized = {"input_shape": list(input_shape), "layers": configs, "loss": loss}
    for key in ("name", "description"):
        if key in spec:
            if not isinstance(spec[key], str):
                raise SpecError(None, key, f"{key} must be a string, got {_json_type(spec[key])}")
            normalized[key] = spec[key]
    return SpecReport(input_shape, infos, total, shape, loss, math.prod(shape), normalized,
                      _warnings(configs, loss))


def count_params(spec) -> int:
    """Number of trainable parameters of ``spec`` (validates it, allocates nothing)."""
    return validate_spec(spec).total_params
