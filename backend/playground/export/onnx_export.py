"""A Model as an ONNX file (opset 17), built with the ``onnx`` package's helpers.

The graph takes the engine's input as ``Model.predict_proba`` does: images
``input: (batch, H, W, C)`` NHWC, vectors ``(batch, features)``, with a dynamic
batch axis. ONNX's Conv and pooling read NCHW, so the graph transposes once
before the first spatial layer and back to NHWC right before ``flatten``: the
flatten then emits (h, w, c) order, as the engine's does, and dense weights go
in unchanged. Outputs, by the spec's loss:

- softmax_cross_entropy: ``probabilities`` (softmax) and ``logits``;
- binary_cross_entropy: ``probabilities`` (sigmoid, shape (batch, 1)) and ``logits``;
- mse: ``outputs`` (NHWC again when the model ends on an image).

TensorFlow's SAME padding becomes explicit, possibly asymmetric, ``pads``
(the numbers the spec report already holds); SAME max pooling ignores its pads
and SAME average pooling divides by the real inputs only
(``count_include_pad=0``), both as in the engine. Dropout is left out: it is
the identity at inference.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np

from playground.engine.layers import ACTIVATIONS
from playground.export.errors import MissingDependency, unsupported

if TYPE_CHECKING:
    from playground.engine.model import Model

OPSET = 17
# IR version 8 is the one that came with opset 17; runtimes that read opset 17
# read it, where the onnx package's newest default may be too new for them.
IR_VERSION = 8
TO_NCHW, TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


def _onnx():
    try:
        import onnx
    except ImportError:
        raise MissingDependency("onnx", "onnx") from None
    return onnx


class _Graph:
    """Nodes and initializers in the making, and the layout of the current value:
    "nhwc" | "nchw" for images, "vec" for (batch, features)."""

    def __init__(self, helper, numpy_helper, layout: str):
        self.helper, self.numpy_helper = helper, numpy_helper
        self.nodes: list = []          # onnx NodeProto, in graph order
        self.initializers: list = []   # onnx TensorProto of the weights
        self.value, self.layout = "input", layout

    def add(self, op: str, name: str, inputs: list, **attrs) -> str:
        out = name
        self.nodes.append(self.helper.make_node(op, [self.value, *inputs], [out], name=name, **attrs))
        self.value = out
        return out

    def const(self, name: str, array: np.ndarray) -> str:
        self.initializers.append(self.numpy_helper.from_array(np.ascontiguousarray(array, np.float32), name))
        return name

    def name_value(self, name: str) -> None:
        """Give the current value a graph output's name: the last node's output
        is renamed (no node reads it yet); Identity only when there is no node."""
        if self.nodes and self.nodes[-1].output[0] == self.value:
            self.nodes[-1].output[0] = name
            self.value = name
        else:
            self.add("Identity", name, [])

    def to(self, layout: str, name: str) -> None:
        if self.layout == layout or self.layout == "vec":
            return
        self.add("Transpose", name, [], perm=TO_NCHW if layout == "nchw" else TO_NHWC)
        self.layout = layout


def _activation(g: _Graph, name: str | None, node: str, alpha: float = 0.01) -> None:
    if name is None or name == "linear":
        return
    if name == "relu":
        g.add("Relu", node, [])
    elif name == "leaky_relu":
        g.add("LeakyRelu", node, [], alpha=float(alpha))
    elif name == "sigmoid":
        g.add("Sigmoid", node, [])
    elif name == "tanh":
        g.add("Tanh", node, [])
    else:  # softmax over the channels, wherever the layout keeps them
        g.add("Softmax", node, [], axis=1 if g.layout == "nchw" else -1)


def _pads(detail: dict) -> list[int]:
    """ONNX order: [top, left, bottom, right] from the report's (before, after) pairs."""
    (top, bottom), (left, right) = detail["pad_h"], detail["pad_w"]
    return [int(top), int(left), int(bottom), int(right)]


def _dense(g: _Graph, info, weights: dict) -> None:
    i = info.index
    inputs = [g.const(f"layers.{i}.weight", weights[f"layers.{i}.weight"])]  # (in, units), as Gemm's B
    if info.config["use_bias"]:
        inputs.append(g.const(f"layers.{i}.bias", weights[f"layers.{i}.bias"]))
    g.add("Gemm", f"layers.{i}.dense", inputs)
    _activation(g, info.config["activation"], f"layers.{i}.{info.config['activation']}")


def _conv2d(g: _Graph, info, weights: dict) -> None:
    i, c = info.index, info.config
    g.to("nchw", f"layers.{i}.to_nchw")
    # engine (KH, KW, C, F) -> ONNX (F, C, KH, KW)
    inputs = [g.const(f"layers.{i}.weight", weights[f"layers.{i}.weight"].transpose(3, 2, 0, 1))]
    if c["use_bias"]:
        inputs.append(g.const(f"layers.{i}.bias", weights[f"layers.{i}.bias"]))
    k, s = c["kernel_size"], c["stride"]
    g.add("Conv", f"layers.{i}.conv2d", inputs, kernel_shape=[k, k], strides=[s, s], pads=_pads(info.detail))
    _activation(g, c["activation"], f"layers.{i}.{c['activation']}")


def _pool(g: _Graph, info, weights: dict) -> None:
    i, c = info.index, info.config
    g.to("nchw", f"layers.{i}.to_nchw")
    k, s = c["pool_size"], c["stride"]
    if c.get("antialias"):
        _blur_pool(g, info, k, s)
        return
    attrs = {"kernel_shape": [k, k], "strides": [s, s], "pads": _pads(info.detail)}
    if info.type == "avgpool2d":
        g.add("AveragePool", f"layers.{i}.avgpool2d", [], count_include_pad=0, **attrs)
    else:
        g.add("MaxPool", f"layers.{i}.maxpool2d", [], **attrs)


def _blur_pool(g: _Graph, info, k: int, s: int) -> None:
    """engine/blur.py: the max over each window at stride 1, then the binomial
    [1 2 1] x [1 2 1] / 16 blur per channel (a depthwise Conv), zero-padded by
    one pixel and taken every s pixels."""
    from playground.engine.blur import KERNEL
    from playground.engine.conv import same_padding

    i, c = info.index, info.config
    h, w, channels = info.input_shape
    if c["padding"] == "same":
        (top, bottom), (left, right) = same_padding(h, k, 1), same_padding(w, k, 1)
    else:
        top = bottom = left = right = 0
    g.add("MaxPool", f"layers.{i}.maxpool2d_dense", [], kernel_shape=[k, k], strides=[1, 1],
          pads=[top, left, bottom, right])
    kernel = np.broadcast_to(KERNEL, (channels, 1, 3, 3))
    g.add("Conv", f"layers.{i}.blur", [g.const(f"layers.{i}.blur_kernel", kernel)], kernel_shape=[3, 3],
          strides=[s, s], pads=[1, 1, 1, 1], group=int(channels))


def _features(g: _Graph, info, weights: dict) -> None:
    """engine/features.py: the chosen columns of (x1, x2, x1^2, x2^2, x1 x2, sin x1, sin x2)."""
    from playground.engine.features import selected

    i = info.index
    helper, base = g.helper, g.value
    cols = {}
    for k, axis_name in ((0, "x1"), (1, "x2")):
        index = f"layers.{i}.{axis_name}_index"
        g.initializers.append(g.numpy_helper.from_array(np.array([k], np.int64), index))
        cols[axis_name] = f"layers.{i}.{axis_name}"  # (batch, 1)
        g.nodes.append(helper.make_node("Gather", [base, index], [cols[axis_name]], name=cols[axis_name], axis=1))
    made = {"x1": cols["x1"], "x2": cols["x2"]}
    recipes = {"x1_sq": ("Mul", ["x1", "x1"]), "x2_sq": ("Mul", ["x2", "x2"]), "x1x2": ("Mul", ["x1", "x2"]),
               "sin_x1": ("Sin", ["x1"]), "sin_x2": ("Sin", ["x2"])}
    names = selected(info.config)
    for name in names:
        if name in made:
            continue
        op, args = recipes[name]
        out = f"layers.{i}.{name}"
        g.nodes.append(helper.make_node(op, [cols[a] for a in args], [out], name=out))
        made[name] = out
    out = f"layers.{i}.features"
    g.nodes.append(helper.make_node("Concat", [made[n] for n in names], [out], name=out, axis=1))
    g.value = out


def _flatten(g: _Graph, info, weights: dict) -> None:
    if g.layout == "vec":
        return  # a vector passes through the engine's flatten unchanged
    g.to("nhwc", f"layers.{info.index}.to_nhwc")
    g.add("Flatten", f"layers.{info.index}.flatten", [], axis=1)
    g.layout = "vec"


def _dropout(g: _Graph, info, weights: dict) -> None:
    """Identity at inference: nothing to emit."""


def _activation_layer(g: _Graph, info, weights: dict) -> None:
    _activation(g, info.type, f"layers.{info.index}.{info.type}", info.config.get("alpha", 0.01))


EMITTERS = {
    "dense": _dense, "conv2d": _conv2d, "maxpool2d": _pool, "avgpool2d": _pool,
    "flatten": _flatten, "dropout": _dropout, "features": _features,
    **{name: _activation_layer for name in ACTIVATIONS},
}


def build_onnx(model: Model):
    """The onnx.ModelProto of an engine Model (ExportError names a layer it cannot express)."""
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    report = model.report
    weights = model.state_dict()
    in_shape = list(report.input_shape)
    g = _Graph(helper, numpy_helper, "nhwc" if len(in_shape) == 3 else "vec")
    for info in report.layers:
        emit = EMITTERS.get(info.type)
        if emit is None:
            raise unsupported(info, "onnx")
        emit(g, info, weights)
    g.to("nhwc", "output.to_nhwc")
    out_shape = ["batch", *report.output_shape]
    outputs = []
    if report.loss == "mse":
        g.name_value("outputs")
        outputs.append(helper.make_tensor_value_info("outputs", TensorProto.FLOAT, out_shape))
    else:
        g.name_value("logits")
        if report.loss == "softmax_cross_entropy":
            head = helper.make_node("Softmax", ["logits"], ["probabilities"], name="probabilities", axis=-1)
        else:
            head = helper.make_node("Sigmoid", ["logits"], ["probabilities"], name="probabilities")
        g.nodes.append(head)
        outputs += [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, out_shape),
                    helper.make_tensor_value_info("logits", TensorProto.FLOAT, out_shape)]
    graph = helper.make_graph(
        g.nodes, report.spec.get("name") or "nn_playground_model",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", *in_shape])],
        outputs, initializer=g.initializers)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="nn-playground", ir_version=IR_VERSION,
                              doc_string=_doc(report))
    helper.set_model_props(proto, {"spec": json.dumps(report.spec), "input_layout": _layout_text(in_shape)})
    onnx.checker.check_model(proto, full_check=True)
    return proto


def to_onnx(model: Model) -> bytes:
    """The serialized ONNX file of an engine Model."""
    return build_onnx(model).SerializeToString()


def _layout_text(in_shape: list) -> str:
    return "NHWC (batch, height, width, channels)" if len(in_shape) == 3 else "(batch, features)"


def _doc(report) -> str:
    kinds = ", ".join(info.type for info in report.layers)
    return (f"Exported from NN Playground. Input {_layout_text(list(report.input_shape))}, float32, "
            f"as the playground's predict takes it (MNIST: pixels / 255). Layers: {kinds}. "
            f"Loss {report.loss}.")
