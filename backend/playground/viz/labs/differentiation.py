"""Differentiation lab: the three ways of the course notes on one expression.

- numeric: forward difference (f(x+h) - f(x)) / h and central difference
  (f(x+h) - f(x-h)) / 2h, from engine.numeric; their error against the exact
  derivative over h from 1e-12 to 1 shows the notes' "arbitrarily inaccurate /
  unstable": large h truncates (error ~ h or h^2), tiny h drowns in rounding
  (error ~ eps / h).
- forward mode: one pass with a dual number (engine.forward_mode).
- reverse mode: a float64 Tensor graph and backward() (engine.tensor / ops).

Each expression is written once against a "library" of elementary functions,
so the three modes run exactly the same formula.
"""

from __future__ import annotations

import math

import numpy as np

from playground.engine import forward_mode as fm
from playground.engine import ops
from playground.engine.numeric import numeric_derivative
from playground.engine.tensor import Tensor
from playground.viz.labs import LabError


class _Floats:
    exp, log, tanh = staticmethod(math.exp), staticmethod(math.log), staticmethod(math.tanh)
    sigmoid = staticmethod(lambda x: 1.0 / (1.0 + math.exp(-x)))  # x stays within [-13, 13] here
    relu = staticmethod(lambda x: max(x, 0.0))


class _Duals:
    exp, log, tanh, sigmoid, relu = (staticmethod(f) for f in (fm.exp, fm.log, fm.tanh, fm.sigmoid, fm.relu))


class _Tensors:
    exp, log, tanh, sigmoid, relu = (staticmethod(f) for f in (ops.exp, ops.log, ops.tanh, ops.sigmoid, ops.relu))


EXPRESSIONS = {
    "x**3 - 2*x": lambda x, m: x ** 3 - 2 * x,
    "x*sigmoid(x) + exp(-x**2)/(1+x)": lambda x, m: x * m.sigmoid(x) + m.exp(-x ** 2) / (1 + x),
    "tanh(x)**3": lambda x, m: m.tanh(x) ** 3,
    "log(1+exp(x))": lambda x, m: m.log(1 + m.exp(x)),
    "relu(x)*x - 2/x": lambda x, m: m.relu(x) * x - 2 / x,
    "(x**2 + 1)**0.5 * tanh(x/3) - x": lambda x, m: (x ** 2 + 1) ** 0.5 * m.tanh(x / 3) - x,
}
X_RANGE = (-10.0, 10.0)
H_RANGE = (1e-12, 1.0)
H_SWEEP = np.logspace(-12, 0, 49)  # 4 points per decade
CURVE_POINTS = 161
CURVE_HALF_WIDTH = 2.5


def _value(expr, x: float) -> float | None:
    """f(x) in plain floats, None where it is undefined or not finite."""
    try:
        v = float(expr(x, _Floats))
    except (ZeroDivisionError, ValueError, OverflowError):
        return None
    return v if math.isfinite(v) else None


def _reverse_mode(expr, x: float) -> float:
    t = Tensor(np.array(x, dtype=np.float64), requires_grad=True)
    expr(t, _Tensors).backward()
    return float(t.grad)


def differentiate(expression: str, x: float, h: float) -> dict:
    """Value, the three derivatives at x, the error-vs-h sweep and a curve with its tangent."""
    if expression not in EXPRESSIONS:
        raise LabError("expression", f"unknown expression {expression!r}; known: {', '.join(EXPRESSIONS)}")
    expr = EXPRESSIONS[expression]
    f = lambda v: expr(v, _Floats)  # noqa: E731
    value = _value(expr, x)
    if value is None or _value(expr, x + h) is None or _value(expr, x - h) is None:
        raise LabError("x", f"{expression} is not defined at x = {x:g} (or x \u00b1 h); move x")
    try:
        _, exact = fm.value_and_derivative(lambda d: expr(d, _Duals), x)
        with np.errstate(all="ignore"):
            reverse = _reverse_mode(expr, x)
    except (ZeroDivisionError, ValueError, OverflowError):
        exact = reverse = math.nan
    if not (math.isfinite(exact) and math.isfinite(reverse)):
        raise LabError("x", f"the derivative of {expression} overflows at x = {x:g}; move x")
    forward_diff = numeric_derivative(f, x, h, "forward")
    central_diff = numeric_derivative(f, x, h, "central")

    sweep = {"h": H_SWEEP.tolist(), "forward_error": [], "central_error": []}
    for hh in H_SWEEP:
        hh = float(hh)
        ok = _value(expr, x + hh) is not None and _value(expr, x - hh) is not None
        sweep["forward_error"].append(abs(numeric_derivative(f, x, hh, "forward") - exact) if ok else None)
        sweep["central_error"].append(abs(numeric_derivative(f, x, hh, "central") - exact) if ok else None)

    xs = np.linspace(x - CURVE_HALF_WIDTH, x + CURVE_HALF_WIDTH, CURVE_POINTS)
    ys = [_value(expr, float(v)) for v in xs]
    ends = [float(xs[0]), float(xs[-1])]
    return {
        "expression": expression,
        "expressions": list(EXPRESSIONS),
        "x": x,
        "h": h,
        "value": value,
        "forward_mode": exact,
        "reverse_mode": reverse,
        "forward_difference": forward_diff,
        "central_difference": central_diff,
        "forward_error": abs(forward_diff - exact),
        "central_error": abs(central_diff - exact),
        "sweep": sweep,
        "curve": {"x": xs.tolist(), "y": ys},
        "tangent": {"x": ends, "y": [value + exact * (e - x) for e in ends]},
    }
