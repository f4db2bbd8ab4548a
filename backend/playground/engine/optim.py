"""Optimizers: the OPTIMIZERS table (sgd, momentum with optional Nesterov, adam).

All update ``param.data`` in place through reused work buffers (no new arrays per
step), read ``param.grad`` without modifying it (gradients may be shared between
parameters, see tensor.py), and skip parameters whose grad is None.

Weight decay is L2 added to the gradient, ``g = grad + weight_decay * w``
(coupled, as in PyTorch's SGD and Adam). The update rules (PyTorch's forms):

- sgd:       w -= lr * g
- momentum:  v = momentum * v + g;  w -= lr * v            (nesterov: w -= lr * (g + momentum * v))
- adam:      m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  t += 1
             w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

Subnormal state: every FLUSH_EVERY steps, state values (momentum's velocity,
Adam's m and v) below FLUSH_BELOW in size are set to 0. A weight whose
gradient stays 0 (an MNIST border pixel's weights) has its state decay
geometrically (m by 0.9 a step) into float32's subnormal range (< 1.2e-38)
within a few hundred steps, and arithmetic on subnormals runs about 50x
slower here: an MNIST MLP's Adam step went from 2.5 ms to 3.9 ms between
steps 600 and 1,800. A state value under 1e-30 moves its weight by less
than lr * 1e-30 / eps (1e-25 with Adam's defaults).

Settings (``lr`` ...) can change between steps: assign ``opt.lr = 0.1`` or call
``opt.set(lr=0.1, momentum=0.95)``, which validates every name and value first.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from .tensor import Tensor

# Flushing state below 1e-30 every 64 steps: m (decaying by 0.9 a step) takes
# about 175 steps to fall from 1e-30 to the subnormal range.
FLUSH_EVERY, FLUSH_BELOW = 64, 1e-30


class SettingError(ValueError):
    """An optimizer setting the engine refuses; ``setting`` names it (for the
    API's error location: no caller has to find the name in the message)."""

    def __init__(self, setting: str, message: str):
        super().__init__(message)
        self.setting = setting


@dataclass(frozen=True)
class Number:
    """A float setting in [low, high), or (low, high) with low_open; no high: unbounded.
    Calling it checks a value; the API's request schema reads the same bounds."""
    name: str
    low: float
    high: float | None = None
    low_open: bool = False

    def __call__(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise SettingError(self.name, f"{self.name} must be a number, got {value!r}")
        value = float(value)
        too_low = value <= self.low if self.low_open else value < self.low
        if not math.isfinite(value) or too_low or (self.high is not None and value >= self.high):
            bound = f"({self.low}, " if self.low_open else f"[{self.low}, "
            bound += f"{self.high})" if self.high is not None else "inf)"
            raise SettingError(self.name, f"{self.name} must be in {bound}, got {value}")
        return value


@dataclass(frozen=True)
class Flag:
    """A true/false setting."""
    name: str

    def __call__(self, value: Any) -> bool:
        if not isinstance(value, (bool, np.bool_)):
            raise SettingError(self.name, f"{self.name} must be true or false, got {value!r}")
        return bool(value)


# setting name -> (default, its check, which returns the checked value)
SettingTable = dict[str, tuple[Any, Number | Flag]]


class Optimizer:
    """Base: holds params, settings, step count and per-parameter state arrays."""

    # setting name -> (default, validator); subclasses extend it.
    SETTINGS: ClassVar[SettingTable] = {
        "lr": (0.01, Number("lr", 0.0)),
        "weight_decay": (0.0, Number("weight_decay", 0.0)),
    }
    STATE: ClassVar[tuple[str, ...]] = ()  # names of per-parameter state arrays

    # Set through SETTINGS in __init__ (declared here for readers and type checkers);
    # lr is read and scheduled by the Trainer.
    lr: float
    weight_decay: float

    def __init__(self, params: Iterable[Tensor], **settings: Any) -> None:
        self.params = list(params)
        for name, (default, _) in self.SETTINGS.items():
            object.__setattr__(self, name, default)
        self.set(**settings)
        self.t = 0
        self.state = {name: [np.zeros_like(p.data) for p in self.params] for name in self.STATE}
        self._buf = [np.empty_like(p.data) for p in self.params]
        self._gbuf: list[np.ndarray | None] = [None] * len(self.params)  # grad + weight decay, made on first use

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.SETTINGS:
            value = self.SETTINGS[name][1](value)
        object.__setattr__(self, name, value)

    def set(self, **settings: Any) -> None:
        """Change settings; all are validated before any is applied."""
        unknown = sorted(set(settings) - set(self.SETTINGS))
        if unknown:
            raise SettingError(unknown[0], f"unknown setting {unknown[0]!r} for {type(self).__name__.lower()}; "
                                           f"valid: {sorted(self.SETTINGS)}")
        checked = {name: self.SETTINGS[name][1](value) for name, value in settings.items()}
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def settings(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.SETTINGS}

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        """One update of every parameter from its ``.grad``."""
        self.t += 1
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad
            if self.weight_decay:
                if self._gbuf[i] is None:
                    self._gbuf[i] = np.empty_like(p.data)
                g = np.multiply(p.data, self.weight_decay, out=self._gbuf[i])
                g += p.grad
            self._update(p.data, g, self._buf[i], {name: self.state[name][i] for name in self.STATE})
        if self.t % FLUSH_EVERY == 0:
            for arrays in self.state.values():
                for a in arrays:
                    np.copyto(a, 0, where=np.abs(a) < FLUSH_BELOW)

    def _update(self, w: np.ndarray, g: np.ndarray, buf: np.ndarray, state: dict[str, np.ndarray]) -> None:
        raise TypeError(f"{type(self).__name__} does not define an update rule")

    def state_dict(self) -> dict[str, Any]:
        """Settings (floats), the step count and state arrays as ``{name}.{i}``."""
        d: dict[str, Any] = {name: (float(v) if not isinstance(v, bool) else v) for name, v in self.settings().items()}
        d["t"] = self.t
        for name, arrays in self.state.items():
            for i, a in enumerate(arrays):
                d[f"{name}.{i}"] = a.copy()
        return d

    def load_state_dict(self, d: dict[str, Any]) -> None:
        expected = set(self.SETTINGS) | {"t"} | {f"{n}.{i}" for n in self.STATE for i in range(len(self.params))}
        missing, extra = sorted(expected - set(d)), sorted(set(d) - expected)
        if missing or extra:
            raise ValueError(f"optimizer state does not match: missing {missing}, unexpected {extra}")
        for name, arrays in self.state.items():
            for i, a in enumerate(arrays):
                src = np.asarray(d[f"{name}.{i}"])
                if src.shape != a.shape:
                    raise ValueError(f"optimizer state {name}.{i}: shape {src.shape}, expected {a.shape}")
        settings: dict[str, Any] = {}
        for name in self.SETTINGS:
            value = d[name]
            value = value.item() if isinstance(value, np.ndarray) else value
            settings[name] = bool(value) if isinstance(self.SETTINGS[name][0], bool) else value
        self.set(**settings)
        self.t = int(d["t"])
        for name, arrays in self.state.items():
            for i, a in enumerate(arrays):
                np.copyto(a, d[f"{name}.{i}"])


class SGD(Optimizer):
    def _update(self, w: np.ndarray, g: np.ndarray, buf: np.ndarray, state: dict[str, np.ndarray]) -> None:
        np.multiply(g, self.lr, out=buf)
        w -= buf


class Momentum(Optimizer):
    SETTINGS: ClassVar[SettingTable] = {
        **Optimizer.SETTINGS,
        "momentum": (0.9, Number("momentum", 0.0, 1.0)),
        "nesterov": (False, Flag("nesterov")),
    }
    STATE = ("velocity",)
    momentum: float
    nesterov: bool

    def _update(self, w: np.ndarray, g: np.ndarray, buf: np.ndarray, state: dict[str, np.ndarray]) -> None:
        v = state["velocity"]
        v *= self.momentum
        v += g
        if self.nesterov:
            np.multiply(v, self.momentum, out=buf)
            buf += g
            buf *= self.lr
        else:
            np.multiply(v, self.lr, out=buf)
        w -= buf


class Adam(Optimizer):
    SETTINGS: ClassVar[SettingTable] = {
        **Optimizer.SETTINGS,
        "lr": (0.001, Number("lr", 0.0)),
        "beta1": (0.9, Number("beta1", 0.0, 1.0)),
        "beta2": (0.999, Number("beta2", 0.0, 1.0)),
        "eps": (1e-8, Number("eps", 0.0, low_open=True)),
    }
    STATE = ("m", "v")
    beta1: float
    beta2: float
    eps: float

    def _update(self, w: np.ndarray, g: np.ndarray, buf: np.ndarray, state: dict[str, np.ndarray]) -> None:
        m, v = state["m"], state["v"]
        m *= self.beta1
        np.multiply(g, 1.0 - self.beta1, out=buf)
        m += buf
        v *= self.beta2
        np.multiply(g, g, out=buf)
        buf *= 1.0 - self.beta2
        v += buf
        # Bias correction folded into scalars: sqrt(v)/sqrt(1-b2^t) + eps, lr/(1-b1^t).
        np.sqrt(v, out=buf)
        buf *= 1.0 / math.sqrt(1.0 - self.beta2 ** self.t)
        buf += self.eps
        np.divide(m, buf, out=buf)
        buf *= self.lr / (1.0 - self.beta1 ** self.t)
        w -= buf


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
# Every optimizer's settings by name, with their checks (a name means the same in each).
SETTING_CHECKS: dict[str, Number | Flag] = {name: check for cls in OPTIMIZERS.values()
                                            for name, (_, check) in cls.SETTINGS.items()}


def make_optimizer(name: str, params: Iterable[Tensor], lr: float = 0.01, weight_decay: float = 0.0,
                   **kw: Any) -> Optimizer:
    """Build OPTIMIZERS[name]; ValueError names an unknown optimizer or setting."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {sorted(OPTIMIZERS)}") from None
    return cls(params, lr=lr, weight_decay=weight_decay, **kw)
