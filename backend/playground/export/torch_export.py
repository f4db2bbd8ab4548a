"""A Model as PyTorch source and weights: a zip of model.py, weights.safetensors,
spec.json and a README. Writes text and arrays only: torch is not imported
here (``safetensors.numpy`` writes the file PyTorch's ``load_file`` reads).

Each spec layer becomes one named entry of an ``nn.Sequential`` (``conv0``,
``relu1``, ``dense7``: type and spec index), followed by its built-in
activation (``conv0_relu``) and preceded by an explicit pad where TensorFlow's
SAME padding differs between the two sides (``conv0_pad``). The network is
channels-first. Weights are re-laid out for PyTorch: conv (KH, KW, C, F) ->
(F, C, KH, KW), dense (in, units) -> (units, in), and the first dense after a
flatten has its input rows permuted from the engine's (h, w, c) flatten order
to nn.Flatten's (c, h, w).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import TYPE_CHECKING

import numpy as np

from playground.engine.layers import ACTIVATIONS
from playground.export import torch_template as text
from playground.export.errors import MissingDependency, unsupported

if TYPE_CHECKING:
    from playground.engine.model import Model

_ACTIVATIONS = {
    "relu": "nn.ReLU()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()",
    "softmax": "nn.Softmax(dim=1)",  # dim 1: the features, or the channels of an image
    "linear": "nn.Identity()",
}


def _activation(name: str, alpha: float = 0.01) -> str:
    if name == "leaky_relu":
        return f"nn.LeakyReLU(negative_slope={float(alpha)!r})"
    return _ACTIVATIONS[name]


class _Net:
    """The layer lines of build(), the helper classes they use, the weights."""

    def __init__(self, report, weights: dict):
        self.report, self.weights = report, weights
        self.lines: list[str] = []
        self.helpers: set[str] = set()
        self.tensors: dict[str, np.ndarray] = {}
        self.flattened: tuple | None = None  # (H, W, C) the next dense must unscramble

    def add(self, name: str, module: str, comment: str | None = None) -> None:
        if comment:
            self.lines.append(f"        # {comment}")
        self.lines.append(f'        ("{name}", {module}),')

    def tensor(self, name: str, array: np.ndarray) -> None:
        self.tensors[name] = np.ascontiguousarray(array, dtype=np.float32)

    def activation(self, base: str, config: dict) -> None:
        act = config.get("activation")
        if act is not None and act != "linear":
            self.add(f"{base}_{act}", _activation(act))


def _padding(detail: dict) -> tuple[tuple, bool]:
    """((left, right, top, bottom), whether both sides of each axis are equal)."""
    (top, bottom), (left, right) = detail["pad_h"], detail["pad_w"]
    return (left, right, top, bottom), top == bottom and left == right


def _pad_arg(pad: tuple) -> str:
    """The padding= argument of a symmetric pad, or "" for none."""
    left, _, top, _ = pad
    if left == top == 0:
        return ""
    return f", padding={top}" if left == top else f", padding=({top}, {left})"


def _bias_arg(config: dict) -> str:
    return "" if config["use_bias"] else ", bias=False"


def _same_text(detail: dict) -> str:
    if detail["padding"] != "same":
        return "valid padding"
    (top, bottom), (left, right) = detail["pad_h"], detail["pad_w"]
    return f"SAME padding: {top} top, {bottom} bottom, {left} left, {right} right"


def _dense(net: _Net, info) -> None:
    i, c = info.index, info.config
    name = f"dense{i}"
    w = net.weights[f"layers.{i}.weight"]  # (in, units)
    comment = f"layer {i} dense: {c['units']} units"
    if net.flattened is not None:
        h, wd, ch = net.flattened
        w = w.reshape(h, wd, ch, -1).transpose(2, 0, 1, 3).reshape(h * wd * ch, -1)
        comment += "; weights permuted from the playground's (h, w, c) flatten order to PyTorch's (c, h, w)"
        net.flattened = None
    net.add(name, f"nn.Linear({info.input_shape[0]}, {c['units']}{_bias_arg(c)})", comment)
    net.tensor(f"{name}.weight", w.T)
    if c["use_bias"]:
        net.tensor(f"{name}.bias", net.weights[f"layers.{i}.bias"])
    net.activation(name, c)


def _conv2d(net: _Net, info) -> None:
    i, c, d = info.index, info.config, info.detail
    name = f"conv{i}"
    pad, symmetric = _padding(d)
    comment: str | None = (f"layer {i} conv2d: {c['filters']} filters {c['kernel_size']}x{c['kernel_size']}, "
                           f"stride {c['stride']}, {_same_text(d)}")
    if not symmetric:
        net.add(f"{name}_pad", f"nn.ZeroPad2d({pad})", comment)
        comment = None
    net.add(name, f"nn.Conv2d({info.input_shape[2]}, {c['filters']}, kernel_size={c['kernel_size']}, "
                  f"stride={c['stride']}{_pad_arg(pad) if symmetric else ''}{_bias_arg(c)})", comment)
    net.tensor(f"{name}.weight", net.weights[f"layers.{i}.weight"].transpose(3, 2, 0, 1))
    if c["use_bias"]:
        net.tensor(f"{name}.bias", net.weights[f"layers.{i}.bias"])
    net.activation(name, c)


def _pool(net: _Net, info) -> None:
    i, c, d = info.index, info.config, info.detail
    k, s = c["pool_size"], c["stride"]
    name = f"{info.type[:7]}{i}"
    pad, symmetric = _padding(d)
    comment = f"layer {i} {info.type}: {k}x{k}, stride {s}, {_same_text(d)}"
    if info.type == "maxpool2d" and c.get("antialias"):
        from playground.engine.conv import same_padding

        h, w, channels = info.input_shape
        if c["padding"] == "same":
            (top, bottom), (left, right) = same_padding(h, k, 1), same_padding(w, k, 1)
        else:
            top = bottom = left = right = 0
        net.helpers.add("BlurPool")
        net.add(name, f"BlurPool({channels}, kernel_size={k}, stride={s}, pad={(left, right, top, bottom)})",
                f"layer {i} maxpool2d with antialiasing: {k}x{k} max at stride 1, blur, every {s} pixels")
    elif info.type == "maxpool2d":
        if symmetric:
            net.add(name, f"nn.MaxPool2d(kernel_size={k}, stride={s}{_pad_arg(pad)})", comment)
        else:  # -inf padding never wins a max, as in the playground
            net.add(f"{name}_pad", f'nn.ConstantPad2d({pad}, float("-inf"))', comment)
            net.add(name, f"nn.MaxPool2d(kernel_size={k}, stride={s})")
    elif symmetric:
        net.add(name, f"nn.AvgPool2d(kernel_size={k}, stride={s}{_pad_arg(pad)}, count_include_pad=False)",
                comment)
    else:
        net.helpers.add("PadAvgPool2d")
        net.add(name, f"PadAvgPool2d(kernel_size={k}, stride={s}, pad={pad})", comment)


def _flatten(net: _Net, info) -> None:
    i = info.index
    if len(info.input_shape) != 3:
        net.add(f"flatten{i}", "nn.Identity()", f"layer {i} flatten: its input already is a vector")
        return
    later = [li.type for li in net.report.layers[i + 1:]]
    if "dense" in later:
        net.flattened = tuple(info.input_shape)
        net.add(f"flatten{i}", "nn.Flatten()", f"layer {i} flatten: (c, h, w) order")
    else:
        net.helpers.add("FlattenHWC")
        net.add(f"flatten{i}", "FlattenHWC()", f"layer {i} flatten: the playground's (h, w, c) order")


def _features(net: _Net, info) -> None:
    from playground.engine.features import selected

    names = list(selected(info.config))
    net.helpers.add("Features")
    net.add(f"features{info.index}", f"Features({names!r})",
            f"layer {info.index} features: {', '.join(names)} of each point (x1, x2)")


def _dropout(net: _Net, info) -> None:
    rate = float(info.config["rate"])
    net.add(f"dropout{info.index}", f"nn.Dropout(p={rate!r})",
            f"layer {info.index} dropout: active in net.train() only, like the playground's")


def _activation_layer(net: _Net, info) -> None:
    net.add(f"{info.type}{info.index}", _activation(info.type, info.config.get("alpha", 0.01)))


EMITTERS = {
    "dense": _dense, "conv2d": _conv2d, "maxpool2d": _pool, "avgpool2d": _pool,
    "flatten": _flatten, "dropout": _dropout, "features": _features,
    **{name: _activation_layer for name in ACTIVATIONS},
}


def build_source(model: Model) -> tuple[str, dict[str, np.ndarray]]:
    """(model.py text, PyTorch state dict as float32 arrays) of an engine Model."""
    report = model.report
    net = _Net(report, model.state_dict())
    for info in report.layers:
        emit = EMITTERS.get(info.type)
        if emit is None:
            raise unsupported(info, "pytorch")
        emit(net, info)
    words = _words(report)
    # torch and F appear in model.py only inside these helpers
    needs_torch = net.helpers & {"PadAvgPool2d", "BlurPool", "Features"}
    imports = "import torch\nimport torch.nn.functional as F\n" if needs_torch else ""
    source = text.HEADER.format(imports=imports, **words) + "".join(text.HELPERS[h] for h in sorted(net.helpers)) \
        + text.BUILD.format(lines="\n".join(net.lines))
    return source, net.tensors


def to_pytorch_zip(model: Model) -> bytes:
    """The zip (model.py, weights.safetensors, spec.json, README.md) of an engine Model."""
    try:
        from safetensors.numpy import save
    except ImportError:
        raise MissingDependency("safetensors", "pytorch") from None
    source, tensors = build_source(model)
    words = _words(model.report)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model.py", source)
        z.writestr("weights.safetensors", save(tensors, metadata={"format": "pt", "producer": "nn-playground"}))
        z.writestr("spec.json", json.dumps(model.report.spec, indent=2))
        z.writestr("README.md", text.README.format(train_text=text.TRAIN_TEXT[model.report.loss],
                                                   **{**words, "usage": words["usage"].lstrip()}))
    return buf.getvalue()


def _plain_name(name: str | None) -> str:
    """The spec's name as it may stand in model.py's docstring: anyone who can
    name a run writes it, so quotes and backslashes (which could end the
    docstring and start code) go, and so do line breaks."""
    return " ".join((name or "").replace('"', "'").replace("\\", "/").split())[:100]


def _words(report) -> dict:
    """The model-specific phrases of model.py's docstring and the README."""
    shape = tuple(report.input_shape)
    if len(shape) == 3:
        h, w, c = shape
        torch_shape = (c, h, w)
        input_text = (f"Channels-first, as PyTorch expects: x of shape (N, {c}, {h}, {w}) "
                      f"= (N, channels, height, width).")
    else:
        torch_shape, input_text = shape, f"Input: x of shape (N, {shape[0]}), float32."
    output_text = text.OUTPUT_TEXT[report.loss]
    if len(report.output_shape) == 3:
        output_text += ", channels-first (N, channels, height, width)"
    shape_text = "(N, " + ", ".join(map(str, torch_shape)) + ")"
    layout = text.LAYOUT_TEXT["image" if len(shape) == 3 else "vector"].format(shape=shape_text)
    name = _plain_name(report.spec.get("name"))
    headline = (f"{name}: an NN Playground model" if name else "An NN Playground model") \
        + " as a PyTorch nn.Sequential."
    return {"title": name or "NN Playground model", "headline": headline, "input_text": input_text,
            "output_text": output_text, "input_shape": repr(torch_shape),
            "layout_text": layout, "usage": text.USAGE[report.loss].format(shape=shape_text)}
