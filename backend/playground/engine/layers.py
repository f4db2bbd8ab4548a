"""The LAYERS table (every layer type, its parameters, defaults and ranges) and
the layer classes a Model is built from.

The table is the one source of truth for a layer's parameters: spec.py checks
specs against it, ``GET /api/layers`` serves ``layer_catalog()`` as is, and the
UI builds its forms from it.

Layer classes take and return NHWC images (or (N, features) vectors) and use
the reference kernels; the Model's training plan (engine/fast/plan.py) runs
the same layers on the fast batch-innermost kernels.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import blur, conv, ops
from .features import DEFAULT_ON, FEATURES, features, selected
from .tensor import Tensor

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "softmax", "linear")
INIT_NAMES = ("zeros", "normal", "glorot_uniform", "he_normal")
PADDINGS = ("valid", "same")


@dataclass(frozen=True)
class Param:
    """One layer parameter. kind: "int" | "float" | "bool" | "choice"."""

    name: str
    kind: str
    description: str
    default: object = None
    required: bool = False
    nullable: bool = False          # None is a valid value (it then means the description's default)
    minimum: float | None = None
    maximum: float | None = None
    exclusive_maximum: bool = False
    choices: tuple | None = None

    def to_dict(self) -> dict:
        return {"name": self.name, "type": self.kind, "default": self.default,
                "required": self.required, "nullable": self.nullable,
                "minimum": self.minimum, "maximum": self.maximum,
                "exclusive_maximum": self.exclusive_maximum,
                "choices": list(self.choices) if self.choices else None,
                "description": self.description}


@dataclass(frozen=True)
class LayerType:
    name: str
    category: str                   # "weights" | "pooling" | "shape" | "regularization" | "activation"
    description: str
    params: tuple = ()

    @property
    def param_names(self) -> tuple:
        return tuple(p.name for p in self.params)

    def to_dict(self) -> dict:
        return {"type": self.name, "category": self.category, "description": self.description,
                "has_weights": self.category == "weights",
                "params": [p.to_dict() for p in self.params]}


def _weight_params(kernel_init: str) -> tuple:
    return (
        Param("activation", "choice", "activation applied inside the layer (null: none)",
              None, nullable=True, choices=ACTIVATIONS),
        Param("use_bias", "bool", "add a learned bias per output", True),
        Param("kernel_init", "choice", "initializer of the weights", kernel_init, choices=INIT_NAMES),
        Param("bias_init", "choice", "initializer of the bias", "zeros", choices=INIT_NAMES),
        Param("init_stddev", "float", "standard deviation for the 'normal' initializer", 0.05,
              minimum=0.0),
    )


def _pool_params() -> tuple:
    return (
        Param("pool_size", "int", "side of the square pooling window", 2, minimum=1),
        Param("stride", "int", "step between windows (null: pool_size)", None, nullable=True, minimum=1),
        Param("padding", "choice", "'valid': no padding; 'same': TensorFlow's SAME padding",
              "valid", choices=PADDINGS),
    )


LAYERS: dict[str, LayerType] = {t.name: t for t in (
    LayerType("dense", "weights", "fully connected: y = x @ W + b, W of shape [in, units]", (
        Param("units", "int", "number of outputs", required=True, minimum=1),
    ) + _weight_params("glorot_uniform")),
    LayerType("conv2d", "weights",
              "2-D convolution, NHWC input, filters [kernel, kernel, in_channels, filters]", (
        Param("filters", "int", "number of filters (output channels)", required=True, minimum=1),
        Param("kernel_size", "int", "side of the square kernel", 3, minimum=1),
        Param("stride", "int", "step of the kernel in both directions", 1, minimum=1),
        Param("padding", "choice", "'valid': no padding; 'same': pad so that out = ceil(in / stride)",
              "valid", choices=PADDINGS),
    ) + _weight_params("he_normal")),
    LayerType("maxpool2d", "pooling", "maximum over each window, per channel", _pool_params() + (
        Param("antialias", "bool", "blur before subsampling (BlurPool): the max at stride 1, then a "
              "[1, 2, 1] x [1, 2, 1] / 16 blur taken every stride pixels; same output size", False),
    )),
    LayerType("avgpool2d", "pooling", "average over each window, per channel", _pool_params()),
    LayerType("flatten", "shape", "image (H, W, C) to a vector of H*W*C values, in (h, w, c) order"),
    LayerType("features", "shape",
              "a 2-D point (x1, x2) to the chosen input features, as in TensorFlow Playground; "
              "first layer only", tuple(
                  Param(name, "bool", label, name in DEFAULT_ON)  # the description is the label the page shows
                  for name, (label, _) in FEATURES.items())),
    LayerType("dropout", "regularization",
              "while training, zero each value with probability rate and scale the rest by 1/(1-rate)", (
        Param("rate", "float", "probability of dropping a value", 0.5, minimum=0.0, maximum=1.0,
              exclusive_maximum=True),
    )),
    LayerType("relu", "activation", "max(x, 0)"),
    LayerType("leaky_relu", "activation", "x if x > 0 else alpha * x", (
        Param("alpha", "float", "slope for negative inputs", 0.01, minimum=0.0, maximum=1.0),
    )),
    LayerType("sigmoid", "activation", "1 / (1 + exp(-x))"),
    LayerType("tanh", "activation", "hyperbolic tangent"),
    LayerType("softmax", "activation", "exp(x) / sum(exp(x)) over the last axis (channels for images)"),
    LayerType("linear", "activation", "identity: y = x"),
)}

# Activations for which max-pooling commutes: pool(act(x)) == act(pool(x)).
MONOTONE_ACTIVATIONS = frozenset({"relu", "leaky_relu", "sigmoid", "tanh", "linear"})


def layer_catalog() -> list[dict]:
    """LAYERS as JSON-ready dicts, in table order (served by GET /api/layers)."""
    return [t.to_dict() for t in LAYERS.values()]


# --- layer classes ------------------------------------------------------------------

def activate(x: Tensor, name: str | None, alpha: float = 0.01, axis: int = -1) -> Tensor:
    """Apply an activation by name; ``axis`` is the channel axis for softmax."""
    if name is None or name == "linear":
        return x
    if name == "relu":
        return ops.relu(x)
    if name == "leaky_relu":
        return ops.leaky_relu(x, alpha)
    if name == "sigmoid":
        return ops.sigmoid(x)
    if name == "tanh":
        return ops.tanh(x)
    return ops.softmax(x, axis=axis)


class Layer:
    """Base: ``forward(x, training)``; ``weights`` lists (name, Tensor)."""

    def __init__(self, index: int, config: dict):
        self.index = index
        self.type = config["type"]
        self.config = config
        self.weights: list[tuple[str, Tensor]] = []
        self.activation = config.get("activation")

    def forward(self, x: Tensor, training: bool) -> Tensor:
        raise TypeError(f"{type(self).__name__} does not define forward")

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.index}, {self.config})"


class Dense(Layer):
    """x: (N, in) -> (N, units); weight [in, units], bias [units]."""

    def __init__(self, index, config, weight: Tensor, bias: Tensor | None):
        super().__init__(index, config)
        self.weight, self.bias = weight, bias
        self.weights = [("weight", weight)] + ([("bias", bias)] if bias is not None else [])

    def forward(self, x, training):
        return activate(ops.linear(x, self.weight, self.bias), self.activation)


class Conv2D(Layer):
    """(N, H, W, C) -> (N, H', W', F); weight [KH, KW, C, F], bias [F]."""

    def __init__(self, index, config, weight: Tensor, bias: Tensor | None):
        super().__init__(index, config)
        self.weight, self.bias = weight, bias
        self.weights = [("weight", weight)] + ([("bias", bias)] if bias is not None else [])
        self.stride, self.padding = config["stride"], config["padding"]

    def forward(self, x, training):
        y = conv.conv2d(x, self.weight, self.bias, self.stride, self.padding)
        return activate(y, self.activation)


class Pool2D(Layer):
    """Max or average pooling, (N, H, W, C) -> (N, H', W', C)."""

    def __init__(self, index, config):
        super().__init__(index, config)
        self.size = config["pool_size"]
        self.stride = config["stride"] if config["stride"] is not None else self.size
        self.padding = config["padding"]
        self.op = conv.max_pool2d if self.type == "maxpool2d" else conv.avg_pool2d
        self.antialias = bool(config.get("antialias"))

    def forward(self, x, training):
        if self.antialias:
            # blur.py: the max at stride 1, then blur and subsample
            return blur.blur_subsample(self.op(x, self.size, 1, self.padding), self.stride)
        return self.op(x, self.size, self.stride, self.padding)


class Flatten(Layer):
    """(N, H, W, C) -> (N, H*W*C) in (h, w, c) order; vectors pass through."""

    def forward(self, x, training):
        return x if x.ndim == 2 else ops.reshape(x, (x.shape[0], -1))


class Features(Layer):
    """(N, 2) -> (N, F): the chosen features of each point (features.py). Always the
    first layer, so its input is data, never a value that needs a gradient."""

    def __init__(self, index, config):
        super().__init__(index, config)
        self.names = selected(config)

    def forward(self, x, training):
        return Tensor(features(x.data, self.names))


class Dropout(Layer):
    """Inverted dropout with the model's generator; identity when not training."""

    def __init__(self, index, config, rng: np.random.Generator):
        super().__init__(index, config)
        self.rate, self.rng = config["rate"], rng

    def forward(self, x, training):
        if not training or self.rate == 0.0:
            return x
        return ops.dropout(x, self.rate, self.rng, training)


class Activation(Layer):
    """relu, leaky_relu, sigmoid, tanh, softmax, linear as a layer of their own."""

    def __init__(self, index, config):
        super().__init__(index, config)
        self.activation = self.type
        self.alpha = config.get("alpha", 0.01)

    def forward(self, x, training):
        return activate(x, self.type, self.alpha)
