"""Model spec validation with shape inference: validate_spec(spec) -> SpecReport.

A spec is JSON (see docs/architecture.md, engine.model). The validator checks
every key against the LAYERS table and fills in defaults (here), then infers
each layer's input and output shape and parameter count and explains conv/pool
output sizes with the course-notes formula (spec_shapes.py). It allocates no
weights, so the API can call it on every keystroke. Errors are SpecError
(spec_report.py) naming the layer index and the field at fault.
"""
from __future__ import annotations

import difflib
import math
import numbers
from typing import Any

from .im2col import conv_output_size, same_padding  # noqa: F401  (re-exported)
from .layers import LAYERS, Param
from .spec_report import LayerInfo, Shape, SpecError, SpecReport
from .spec_shapes import infer_layer, size_formula

__all__ = ["DEFAULT_LOSS", "LOSS_NAMES", "SPEC_KEYS", "LayerInfo", "SpecError", "SpecReport",
           "conv_output_size", "count_params", "normalize_layer", "same_padding", "size_formula",
           "validate_spec"]

LOSS_NAMES = ("softmax_cross_entropy", "mse", "binary_cross_entropy")
DEFAULT_LOSS = "softmax_cross_entropy"
SPEC_KEYS = ("input_shape", "layers", "loss", "name", "description")


def _json_type(value: object) -> str:
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


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


# --- parameter checks ----------------------------------------------------------------

def _check_param(p: Param, value: Any, index: int, kind: str) -> Any:
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
        choices = p.choices or ()
        allowed = ", ".join(repr(c) for c in choices)
        if not isinstance(value, str) or value.lower() not in choices:
            raise SpecError(index, p.name, f"{where}{p.name} must be one of {allowed}, got {value!r}")
        value = value.lower()
    if p.minimum is not None and value < p.minimum:
        raise SpecError(index, p.name, f"{where}{p.name} must be >= {p.minimum:g}, got {value!r}")
    if p.maximum is not None and (value >= p.maximum if p.exclusive_maximum else value > p.maximum):
        interval = f"[{p.minimum:g}, {p.maximum:g}{')' if p.exclusive_maximum else ']'}"
        raise SpecError(index, p.name, f"{where}{p.name} must be in {interval}, got {value!r}")
    return value


def normalize_layer(layer: object, index: int) -> dict[str, Any]:
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


def _check_input_shape(shape: object) -> Shape:
    if shape is None:
        raise SpecError(None, "input_shape", "input_shape is required, e.g. [28, 28, 1] or [2]")
    if not (isinstance(shape, (list, tuple)) and len(shape) in (1, 3)
            and all(_is_int(d) and d >= 1 for d in shape)):
        raise SpecError(None, "input_shape", "input_shape must be [features] or [height, width, channels] "
                                             f"of positive integers, got {shape!r}")
    return tuple(int(d) for d in shape)


def _check_loss(loss: object, output_shape: Shape) -> str:
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


def _warnings(configs: list[dict[str, Any]], loss: str) -> list[str]:
    last = configs[-1]
    out = []
    fused = {"softmax_cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}.get(loss)
    if fused and (last["type"] == fused or last.get("activation") == fused):
        out.append(f"layer {len(configs) - 1} ({last['type']}): the {loss} loss applies {fused} to the "
                   f"outputs itself; a {fused} before it is applied twice and slows learning")
    return out


def validate_spec(spec: object) -> SpecReport:
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
    infos: list[LayerInfo] = []
    configs: list[dict[str, Any]] = []
    shape, total = input_shape, 0
    for index, layer in enumerate(layers):
        config = normalize_layer(layer, index)
        out, n, detail = infer_layer(config, shape, index)
        infos.append(LayerInfo(index, config["type"], shape, out, n, config, detail))
        configs.append(config)
        shape, total = out, total + n
    loss = spec.get("loss", DEFAULT_LOSS)
    if loss is None:
        loss = DEFAULT_LOSS
    loss = _check_loss(loss, shape)
    normalized: dict[str, Any] = {"input_shape": list(input_shape), "layers": configs, "loss": loss}
    for key in ("name", "description"):
        if key in spec:
            if not isinstance(spec[key], str):
                raise SpecError(None, key, f"{key} must be a string, got {_json_type(spec[key])}")
            normalized[key] = spec[key]
    return SpecReport(input_shape, infos, total, shape, loss, math.prod(shape), normalized,
                      _warnings(configs, loss))


def count_params(spec: object) -> int:
    """Number of trainable parameters of ``spec`` (validates it, allocates nothing)."""
    return validate_spec(spec).total_params
