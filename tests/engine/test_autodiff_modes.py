"""The three ways to differentiate agree: finite differences, forward-mode dual
numbers and reverse-mode Tensors, on the same scalar expressions."""
import math

import numpy as np
import pytest

from playground.engine import forward_mode as fm
from playground.engine import ops
from playground.engine.forward_mode import Dual, derivative, value_and_derivative
from playground.engine.numeric import gradient_check, numeric_derivative, numeric_gradient
from playground.engine.tensor import Tensor


class Floats:
    exp, log, tanh, sin, cos = math.exp, math.log, math.tanh, math.sin, math.cos
    sigmoid = staticmethod(lambda x: 1 / (1 + math.exp(-x)))
    relu = staticmethod(lambda x: max(x, 0.0))


class Duals:
    exp, log, tanh, sigmoid, relu, sin, cos = fm.exp, fm.log, fm.tanh, fm.sigmoid, fm.relu, fm.sin, fm.cos


class Tensors:
    exp, log, tanh, sigmoid, relu = ops.exp, ops.log, ops.tanh, ops.sigmoid, ops.relu


# Each expression is written once against a "library" of elementary functions.
EXPRESSIONS = {
    "x*sigmoid(x) + exp(-x**2)/(1+x)": lambda x, m: x * m.sigmoid(x) + m.exp(-x ** 2) / (1 + x),
    "tanh(x)**3": lambda x, m: m.tanh(x) ** 3,
    "log(1+exp(x))": lambda x, m: m.log(1 + m.exp(x)),
    "relu(x)*x - 2/x": lambda x, m: m.relu(x) * x - 2 / x,
    "(x**2 + 1)**0.5 * tanh(x/3) - x": lambda x, m: (x ** 2 + 1) ** 0.5 * m.tanh(x / 3) - x,
}
POINTS = [-0.7, 0.3, 1.9]


def reverse_mode(expr, x):
    t = Tensor(np.array(x), requires_grad=True)
    expr(t, Tensors).backward()
    return float(t.grad)


@pytest.mark.parametrize("name", EXPRESSIONS)
@pytest.mark.parametrize("x", POINTS)
def test_numeric_forward_and_reverse_mode_agree(name, x):
    expr = EXPRESSIONS[name]
    value, forward = value_and_derivative(lambda d: expr(d, Duals), x)
    central = numeric_derivative(lambda v: expr(v, Floats), x, h=1e-5, method="central")
    reverse = reverse_mode(expr, x)
    assert value == pytest.approx(expr(x, Floats), rel=1e-12)
    assert forward == pytest.approx(reverse, rel=1e-10, abs=1e-12)  # both exact up to rounding
    assert central == pytest.approx(forward, rel=1e-7, abs=1e-9)


def test_forward_difference_is_first_order_central_is_second_order():
    f, exact = math.exp, math.exp(1.0)
    err_fwd = [abs(numeric_derivative(f, 1.0, h, "forward") - exact) for h in (1e-2, 1e-3)]
    err_ctr = [abs(numeric_derivative(f, 1.0, h, "central") - exact) for h in (1e-2, 1e-3)]
    assert 8 < err_fwd[0] / err_fwd[1] < 12     # error ~ h
    assert 80 < err_ctr[0] / err_ctr[1] < 120   # error ~ h^2
    with pytest.raises(ValueError, match="method"):
        numeric_derivative(f, 1.0, method="backward")


def test_dual_arithmetic_rules():
    x = Dual(3.0, 1.0)
    assert (x * x).derivative == 6.0
    assert (1 / x).derivative == pytest.approx(-1 / 9)
    assert (2 ** x).derivative == pytest.approx(8 * math.log(2))
    assert (x ** Dual(2.0, 0.0)).derivative == pytest.approx(6.0)
    assert (5 - x).value == 2.0 and (5 - x).derivative == -1.0
    assert derivative(lambda v: fm.sin(v) * fm.cos(v), 0.4) == pytest.approx(math.cos(0.8))
    assert derivative(lambda v: 7.0, 1.0) == 0.0
    assert fm.exp(0.0) == 1.0  # plain numbers pass straight through
    assert fm.sigmoid(Dual(-800.0, 1.0)).value == 0.0  # no overflow


def test_numeric_gradient_and_gradient_check():
    a = np.array([[1.0, 2.0], [3.0, -1.0]])
    g = numeric_gradient(lambda arr: float((arr ** 3).sum()), a)
    np.testing.assert_allclose(g, 3 * a ** 2, rtol=1e-8)
    np.testing.assert_array_equal(a, [[1.0, 2.0], [3.0, -1.0]])  # restored
    with pytest.raises(TypeError):
        numeric_gradient(lambda arr: 0.0, a.astype(np.float32))
    # A wrong backward is caught: d(x^2) claimed to be x instead of 2x.
    def bad_square(t):
        return Tensor.from_op(t.data ** 2, (t,), lambda grad: (grad * t.data,), "bad_square")
    assert gradient_check(bad_square, [a]) > 0.1
    assert gradient_check(lambda t: t * t, [a]) < 1e-8
