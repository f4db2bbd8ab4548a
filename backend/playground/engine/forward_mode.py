"""Forward-mode autodiff with dual numbers, for scalar expressions (teaching).

A dual number ``a + b·ε`` with ``ε² = 0`` carries a value and a derivative
together: ``f(x + 1·ε) = f(x) + f'(x)·ε``. Each operation applies its own
derivative rule as it computes the value, so one forward pass gives df/dx;
no graph is recorded (compare the reverse mode of tensor.py).

    >>> derivative(lambda x: x * sin(x), 2.0)   # sin 2 + 2 cos 2
    0.077004...
"""
from __future__ import annotations

import math
from collections.abc import Callable


class Dual:
    """value + derivative·ε; combines with plain numbers (derivative 0)."""

    __slots__ = ("value", "derivative")

    def __init__(self, value: float, derivative: float = 0.0) -> None:
        self.value = float(value)
        self.derivative = float(derivative)

    def __repr__(self) -> str:
        return f"Dual({self.value!r}, {self.derivative!r})"

    def __add__(self, other: Dual | float) -> Dual:
        other = _dual(other)
        return Dual(self.value + other.value, self.derivative + other.derivative)

    __radd__ = __add__

    def __sub__(self, other: Dual | float) -> Dual:
        other = _dual(other)
        return Dual(self.value - other.value, self.derivative - other.derivative)

    def __rsub__(self, other: Dual | float) -> Dual:
        return _dual(other) - self

    def __mul__(self, other: Dual | float) -> Dual:
        other = _dual(other)
        # product rule
        return Dual(self.value * other.value, self.derivative * other.value + self.value * other.derivative)

    __rmul__ = __mul__

    def __truediv__(self, other: Dual | float) -> Dual:
        other = _dual(other)
        # quotient rule
        return Dual(self.value / other.value,
                    (self.derivative * other.value - self.value * other.derivative) / (other.value ** 2))

    def __rtruediv__(self, other: Dual | float) -> Dual:
        return _dual(other) / self

    def __neg__(self) -> Dual:
        return Dual(-self.value, -self.derivative)

    def __pow__(self, other: Dual | float) -> Dual:
        if isinstance(other, Dual):
            # d(u^v) = u^v (v' ln u + v u'/u)
            value = self.value ** other.value
            return Dual(value, value * (other.derivative * math.log(self.value)
                                        + other.value * self.derivative / self.value))
        return Dual(self.value ** other, other * self.value ** (other - 1) * self.derivative)

    def __rpow__(self, base: Dual | float) -> Dual:
        return _dual(base) ** self


def _dual(x: Dual | float) -> Dual:
    return x if isinstance(x, Dual) else Dual(x, 0.0)


def _lift(fn: Callable[[float], float], dfn: Callable[[float], float]) -> Callable[[Dual | float], Dual | float]:
    """Chain rule for a one-argument function: (f(u), f'(u) u')."""
    def apply(x: Dual | float) -> Dual | float:
        if isinstance(x, Dual):
            return Dual(fn(x.value), dfn(x.value) * x.derivative)
        return fn(x)
    apply.__name__ = fn.__name__
    return apply


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


exp = _lift(math.exp, math.exp)
log = _lift(math.log, lambda x: 1.0 / x)
sin = _lift(math.sin, math.cos)
cos = _lift(math.cos, lambda x: -math.sin(x))
tanh = _lift(math.tanh, lambda x: 1.0 - math.tanh(x) ** 2)
sigmoid = _lift(_sigmoid, lambda x: _sigmoid(x) * (1.0 - _sigmoid(x)))
# ReLU's derivative at 0 is taken as 0, as in the reverse mode.
relu = _lift(lambda x: max(x, 0.0), lambda x: 1.0 if x > 0 else 0.0)
relu.__name__ = "relu"


def derivative(f: Callable[[Dual], Dual | float], x: float) -> float:
    """f'(x) by one forward pass with x seeded as Dual(x, 1)."""
    out = f(Dual(x, 1.0))
    return out.derivative if isinstance(out, Dual) else 0.0


def value_and_derivative(f: Callable[[Dual], Dual | float], x: float) -> tuple[float, float]:
    out = f(Dual(x, 1.0))
    return (out.value, out.derivative) if isinstance(out, Dual) else (float(out), 0.0)
