"""The LAYERS table (every layer type, its parameters, defaults and ranges) and
the layer classes a Model is built from.

The table is the one source of truth for a layer's parameters: spec.py checks
specs against it, ``GET /api/layers`` serves ``layer_catalog()`` as is, and the
UI builds its forms from it. The vocabularies of a spec are named here once
(ACTIVATIONS, LAYER_TYPES, POOL_TYPES, WEIGHTED_TYPES; PADDINGS comes from
im2col.py, INIT_NAMES from init.py's table); the API's schemas and the page's
bootstrap data (api/vocabularies.py) are made from them.

Layer classes take and return NHWC images (or (N, features) vectors) and use
the reference kernels; the Model's training plan (engine/fast/plan.py) runs
the same layers on the fast batch-innermost kernels.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import blur, conv, ops
from .features import DEFAULT_ON, FEATURES, features, selected
from .im2col import PADDINGS
from .init import INITIALIZERS
from .tensor import Tensor

# Each activation and the formula the catalog shows; ops.ACTIVATIONS holds the
# functions under the same names (tests/engine/test_layers.py keeps them equal).
ACTIVATION_FORMULAS = {
    "relu": "max(x, 0)",
    "leaky_relu": "x if x > 0 else alpha * x",
    "sigmoid": "1 / (1 + exp(-x))",
    "tanh": "hyperbolic tangent",
    "softmax": "exp(x) / sum(exp(x)) over the last axis (channels for images)",
    "linear": "identity: y = x",
}
ACTIVATIONS = tuple(ACTIVATION_FORMULAS)
# max-pooling commutes with these: pool(act(x)) == act(pool(x)) (softmax mixes channels)
MONOTONE_ACTIVATIONS = frozenset(ACTIVATIONS) - {"softmax"}
INIT_NAMES = tuple(INITIALIZERS)


@dataclass(frozen=True)
class Param:
    """One layer parameter. kind: "int" | "float" | "bool" | "choice"."""

    name: str
    kind: str
    description: str
    default: Any = None
    required: bool = False
    nullable: bool = False          # None is a valid value (it then means the description's default)
    minimum: float | None = None
    maximum: float | None = None
    exclusive_maximum: bool = False
    choices: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
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
    params: tuple[Param, ...] = ()

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.name, "category": self.category, "description": self.description,
                "has_weights": self.category == "weights",
                "params": [p.to_dict() for p in self.params]}


def _weight_params(kernel_init: str) -> tuple[Param, ...]:
    return (
        Param("activation", "choice", "activation applied inside the layer (null: none)",
              None, nullable=True, choices=ACTIVATIONS),
        Param("use_bias", "bool", "add a learned bias per output", True),
        Param("kernel_init", "choice", "initializer of the weights", kernel_init, choices=INIT_NAMES),
        Param("bias_init", "choice", "initializer of the bias", "zeros", choices=INIT_NAMES),
        Param("init_stddev", "float", "standard deviation for the 'normal' initializer", 0.05,
              minimum=0.0),
    )


def _pool_params() -> tuple[Param, ...]:
    return (
        Param("pool_size", "int", "side of the square pooling window", 2, minimum=1),
        Param("stride", "int", "step between windows (null: pool_size)", None, nullable=True, minimum=1),
        Param("padding", "choice", "'valid': no padding; 'same': TensorFlow's SAME padding",
              "valid", choices=PADDINGS),
    )


_ACTIVATION_PARAMS = {"leaky_relu": (
    Param("alpha", "float", "slope for negative inputs", 0.01, minimum=0.0, maximum=1.0),
)}

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
    *(LayerType(name, "activation", formula, _ACTIVATION_PARAMS.get(name, ()))
      for name, formula in ACTIVATION_FORMULAS.items()),
)}

LAYER_TYPES = tuple(LAYERS)
POOL_TYPES = tuple(name for name, t in LAYERS.items() if t.category == "pooling")
WEIGHTED_TYPES = tuple(name for name, t in LAYERS.items() if t.category == "weights")


def layer_catalog() -> list[dict[str, Any]]:
    """LAYERS as JSON-ready dicts, in table order (served by GET /api/layers)."""
    return [t.to_dict() for t in LAYERS.values()]


# --- layer classes ------------------------------------------------------------------

def activate(x: Tensor, name: str | None, alpha: float = 0.01, axis: int = -1) -> Tensor:
    """Apply an activation by name (None: none); ``axis`` is the channel axis for
    softmax. An unknown name raises ValueError: silently picking one would train
    another network than the spec says."""
    if name is None or name == "linear":
        return x
    if name == "leaky_relu":
        return ops.leaky_relu(x, alpha)
    if name == "softmax":
        return ops.softmax(x, axis=axis)
    if name not in ACTIVATION_FORMULAS:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    result: Tensor = ops.ACTIVATIONS[name](x)
    return result


class Layer:
    """Base: ``forward(x, training)``; ``weights`` lists (name, Tensor)."""

    def __init__(self, index: int, config: dict[str, Any]):
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

    def __init__(self, index: int, config: dict[str, Any], weight: Tensor, bias: Tensor | None):
        super().__init__(index, config)
        self.weight, self.bias = weight, bias
        self.weights = [("weight", weight)] + ([("bias", bias)] if bias is not None else [])

    def forward(self, x: Tensor, training: bool) -> Tensor:
        return activate(ops.linear(x, self.weight, self.bias), self.activation)


class Conv2D(Layer):
    """(N, H, W, C) -> (N, H', W', F); weight [KH, KW, C, F], bias [F]."""

    def __init__(self, index: int, config: dict[str, Any], weight: Tensor, bias: Tensor | None):
        super().__init__(index, config)
        self.weight, self.bias = weight, bias
        self.weights = [("weight", weight)] + ([("bias", bias)] if bias is not None else [])
        self.stride, self.padding = config["stride"], config["padding"]

    def forward(self, x: Tensor, training: bool) -> Tensor:
        y = conv.conv2d(x, self.weight, self.bias, self.stride, self.padding)
        return activate(y, self.activation)


class Pool2D(Layer):
    """Max or average pooling, (N, H, W, C) -> (N, H', W', C)."""

    def __init__(self, index: int, config: dict[str, Any]):
        super().__init__(index, config)
        self.size = config["pool_size"]
        self.stride = config["stride"] if config["stride"] is not None else self.size
        self.padding = config["padding"]
        self.op = conv.max_pool2d if self.type == "maxpool2d" else conv.avg_pool2d
        self.antialias = bool(config.get("antialias"))

    def forward(self, x: Tensor, training: bool) -> Tensor:
        if self.antialias:
            # blur.py: the max at stride 1, then blur and subsample
            return blur.blur_subsample(self.op(x, self.size, 1, self.padding), self.stride)
        return self.op(x, self.size, self.stride, self.padding)


class Flatten(Layer):
    """(N, H, W, C) -> (N, H*W*C) in (h, w, c) order; vectors pass through."""

    def forward(self, x: Tensor, training: bool) -> Tensor:
        return x if x.ndim == 2 else ops.reshape(x, (x.shape[0], -1))


class Features(Layer):
    """(N, 2) -> (N, F): the chosen features of each point (features.py). Always the
    first layer, so its input is data, never a value that needs a gradient."""

    def __init__(self, index: int, config: dict[str, Any]):
        super().__init__(index, config)
        self.names = selected(config)

    def forward(self, x: Tensor, training: bool) -> Tensor:
        return Tensor(features(x.data, self.names))


class Dropout(Layer):
    """Inverted dropout with the model's generator; identity when not training."""

    def __init__(self, index: int, config: dict[str, Any], rng: np.random.Generator):
        super().__init__(index, config)
        self.rate, self.rng = config["rate"], rng

    def forward(self, x: Tensor, training: bool) -> Tensor:
        if not training or self.rate == 0.0:
            return x
        return ops.dropout(x, self.rate, self.rng, training)


class Activation(Layer):
    """relu, leaky_relu, sigmoid, tanh, softmax, linear as a layer of their own."""

    def __init__(self, index: int, config: dict[str, Any]):
        super().__init__(index, config)
        self.activation = self.type
        self.alpha = config.get("alpha", 0.01)

    def forward(self, x: Tensor, training: bool) -> Tensor:
        return activate(x, self.type, self.alpha)
