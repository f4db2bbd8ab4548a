"""Model: a validated spec turned into layers with weights; build_model; weights io.

A Model runs its layers in one of two ways. ``model.fast = False`` calls each
layer's own ``forward`` in spec order, the reference kernels in NHWC: what a
student reads in layers.py, conv.py and pool.py. ``model.fast = True`` (the
default) runs engine/fast/plan.py's plan: the same layers and weights on
batch-innermost kernels with a reusable buffer pool, ReLU moved after max
pooling; tests/engine/test_fast.py checks both give the same outputs and
gradients. A capturing pass (``capture=True``, ``forward_trace``) always runs
the layers in spec order, so every layer's own output is recorded.

Also here, as the contract names them: validate_spec / SpecError (spec.py) and
save_weights / load_weights / WeightsError (file format in weights_io.py).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from .fast.plan import make_plan
from .init import initialize
from .layers import Activation, Conv2D, Dense, Dropout, Features, Flatten, Layer, Pool2D, layer_catalog
from .ops import stable_sigmoid
from .spec import SpecError, SpecReport, count_params, validate_spec
from .tensor import Tensor, no_grad
from .weights_io import WeightsError, WeightsSource, WeightsTarget, check_arrays, read_npz, write_npz

__all__ = ["Model", "build_model", "validate_spec", "count_params", "layer_catalog", "SpecError",
           "SpecReport", "WeightsError", "save_weights", "load_weights"]


class Model:
    """A sequential network built from a spec; see build_model."""

    def __init__(self, report: SpecReport, layers: list[Layer], rng: np.random.Generator, dtype: DTypeLike) -> None:
        self.report = report
        self.spec = report.spec
        self.input_shape = tuple(report.input_shape)
        self.loss = report.loss
        self.layers = layers
        self.dtype = np.dtype(dtype)
        self._rng = rng
        self._named = [(f"layers.{layer.index}.{name}", t) for layer in layers for name, t in layer.weights]
        self.capture_outputs = False     # the trainer may set this instead of passing capture=True
        self.last_outputs: list[np.ndarray] | None = None
        self._plan = make_plan(layers)
        self.fast = True                 # False: the layers' reference forward, in spec order

    @property
    def rng(self) -> np.random.Generator:
        """The generator dropout draws from (the one that initialized the weights)."""
        return self._rng

    @rng.setter
    def rng(self, value: np.random.Generator) -> None:
        self._rng = value
        for layer in self.layers:
            if isinstance(layer, Dropout):
                layer.rng = value

    # --- forward ---------------------------------------------------------------------
    def _input(self, x: Tensor | ArrayLike) -> Tensor:
        if isinstance(x, Tensor):
            if x.requires_grad:
                return x
            x = x.data
        x = np.asarray(x)
        if x.shape[1:] != self.input_shape:
            raise ValueError(f"model expects input of shape (N, {', '.join(map(str, self.input_shape))}),"
                             f" got {x.shape}")
        return Tensor(x if x.dtype == self.dtype else x.astype(self.dtype))

    def __call__(self, x: Tensor | ArrayLike, training: bool = False, capture: bool | None = None) -> Tensor:
        """x: (N, H, W, C) or (N, features) -> outputs (N, K) (or NHWC for an image output).

        capture: store every layer's output (NHWC arrays) in ``last_outputs``."""
        h = self._input(x)
        if capture is None:
            capture = self.capture_outputs
        if capture:
            return self._forward_capture(h, training)
        steps = self._plan if self.fast else [layer.forward for layer in self.layers]
        for step in steps:
            h = step(h, training)
        return h

    def _forward_capture(self, h: Tensor, training: bool) -> Tensor:
        outputs = []
        for layer in self.layers:
            h = layer.forward(h, training)
            outputs.append(h.data)
        self.last_outputs = outputs
        return h

    def forward_trace(self, x: ArrayLike) -> list[np.ndarray]:
        """The output of every layer for input x, NHWC (or (N, features)), no grad."""
        with no_grad():
            self(x, training=False, capture=True)
        assert self.last_outputs is not None  # set by the capturing pass just run
        return self.last_outputs

    def outputs(self, x: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """Raw outputs (logits) for x, in chunks, no grad."""
        x = np.asarray(x)
        with no_grad():
            parts = [self(x[i:i + batch_size], training=False, capture=False).data
                     for i in range(0, max(len(x), 1), batch_size)]
        return np.concatenate(parts) if len(parts) > 1 else parts[0]

    def predict_proba(self, x: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """softmax (softmax_cross_entropy) or sigmoid (binary_cross_entropy) of the
        outputs, as the loss reads them; raw outputs for mse."""
        out = self.outputs(x, batch_size)
        if self.loss == "softmax_cross_entropy":
            e = np.exp(out - out.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        if self.loss == "binary_cross_entropy":
            return stable_sigmoid(out)
        return out

    def predict(self, x: ArrayLike, batch_size: int = 1024) -> np.ndarray:
        """Class indices (softmax_cross_entropy), 0/1 (binary_cross_entropy) or values (mse)."""
        proba = self.predict_proba(x, batch_size)
        if self.loss == "softmax_cross_entropy":
            return proba.argmax(axis=-1)
        if self.loss == "binary_cross_entropy":
            return (proba[:, 0] > 0.5).astype(np.int64)
        return proba

    # --- parameters ------------------------------------------------------------------
    def named_parameters(self) -> list[tuple[str, Tensor]]:
        return list(self._named)

    def parameters(self) -> list[Tensor]:
        return [t for _, t in self._named]

    @property
    def num_params(self) -> int:
        return sum(t.size for _, t in self._named)

    def zero_grad(self) -> None:
        for _, t in self._named:
            t.grad = None

    def state_dict(self) -> dict[str, np.ndarray]:
        return {key: t.data.copy() for key, t in self._named}

    def expected_shapes(self) -> dict[str, tuple[int, ...]]:
        return {key: t.shape for key, t in self._named}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Copy arrays into the parameters in place (optimizers keep their references).
        Strict: WeightsError names missing and extra keys and every shape mismatch."""
        check_arrays(state, self.expected_shapes())
        for key, t in self._named:
            np.copyto(t.data, state[key], casting="unsafe")

    def __repr__(self) -> str:
        kinds = ", ".join(layer.type for layer in self.layers)
        return f"Model(input_shape={self.input_shape}, layers=[{kinds}], params={self.num_params})"


def _init_weights(config: dict[str, Any], shape: tuple[int, ...], rng: np.random.Generator,
                  dtype: DTypeLike) -> tuple[Tensor, Tensor | None]:
    fan_in, fan_out = int(np.prod(shape[:-1])), int(np.prod(shape[:-2])) * shape[-1]
    std = config["init_stddev"]
    w = initialize(config["kernel_init"], shape, rng, fan_in, fan_out, stddev=std)
    weight = Tensor(w.astype(dtype, copy=False), requires_grad=True)
    if not config["use_bias"]:
        return weight, None
    b = initialize(config["bias_init"], (shape[-1],), rng, fan_in, fan_out, stddev=std)
    return weight, Tensor(b.astype(dtype, copy=False), requires_grad=True)


def build_model(spec: SpecReport | dict[str, Any], rng: np.random.Generator | None = None, seed: int | None = None,
                dtype: DTypeLike = np.float32) -> Model:
    """Validate ``spec`` (SpecError) and build it; same seed -> same weights.

    Weights are drawn from ``rng`` (or a new generator from ``seed``) in layer
    order; dropout draws from the same generator afterwards."""
    if rng is not None and seed is not None:
        raise ValueError("pass rng or seed, not both")
    report = spec if isinstance(spec, SpecReport) else validate_spec(spec)
    rng = rng if rng is not None else np.random.default_rng(seed)
    layers: list[Layer] = []
    for info in report.layers:
        config, i = info.config, info.index
        layer: Layer
        if info.type == "dense":
            layer = Dense(i, config, *_init_weights(config, (info.input_shape[0], config["units"]),
                                                    rng, dtype))
        elif info.type == "conv2d":
            k = config["kernel_size"]
            shape = (k, k, info.input_shape[2], config["filters"])
            layer = Conv2D(i, config, *_init_weights(config, shape, rng, dtype))
        elif info.type in ("maxpool2d", "avgpool2d"):
            layer = Pool2D(i, config)
        elif info.type == "flatten":
            layer = Flatten(i, config)
        elif info.type == "features":
            layer = Features(i, config)
        elif info.type == "dropout":
            layer = Dropout(i, config, rng)
        else:
            layer = Activation(i, config)
        layers.append(layer)
    return Model(report, layers, rng, dtype)


def save_weights(model: Model, target: WeightsTarget) -> None:
    """Write the model's weights as .npz (path, written atomically, or binary file object)."""
    write_npz(target, model.state_dict())


def load_weights(model_or_spec: Model | SpecReport | dict[str, Any], source: WeightsSource,
                 seed: int | None = None) -> Model:
    """Load an .npz (path, bytes or file object) into a Model, or into a new model
    built from a spec; WeightsError if the file is not a safe .npz or does not
    match (naming the key and both shapes). Returns the model."""
    model = model_or_spec if isinstance(model_or_spec, Model) else build_model(model_or_spec, seed=seed)
    model.load_state_dict(read_npz(source))
    return model

