"""Differentiable primitives: each op's forward and its local derivative side by side.

Every op takes Tensors (plain arrays and Python numbers are wrapped as constants)
and returns a Tensor built with ``Tensor.from_op``. The backward closure receives
``g`` = dLoss/dOut and returns dLoss/dParent for each parent (None if not needed).
The chain rule itself lives in ``Tensor.backward``.

Speed matters (the MLP must keep up with PyTorch): no copies that are not needed,
Python-number constants take the tensor's dtype so float32 stays float32, and a
gradient is only computed for a parent that requires one.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from playground.engine.tensor import Tensor

# What an op accepts: a Tensor, or an array or number wrapped as a constant.
Operand = Tensor | ArrayLike
# What a backward closure returns: one gradient per parent, None where none is needed.
Grads = tuple[np.ndarray | None, ...]
# An axis argument of a reduction, as NumPy takes it.
Axis = int | tuple[int, ...] | None

# ``sum``, ``max`` and ``pow`` below shadow the builtins on purpose (they mirror
# NumPy's names); this module never needs the builtin versions.

_SCALARS = (int, float, np.number)


def _const(x: Operand, like: Tensor | None = None) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if like is not None and isinstance(x, _SCALARS):
        # np.float64 scalars would upcast float32 arrays (NEP 50); keep the tensor's dtype.
        return Tensor(np.asarray(x, dtype=like.dtype))
    return Tensor(x)


def _pair(a: Operand, b: Operand) -> tuple[Tensor, Tensor]:
    if isinstance(a, Tensor):
        return a, _const(b, a)
    b = _const(b)
    return _const(a, b), b


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes NumPy broadcast, so it has ``shape`` again."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad


# --- arithmetic -------------------------------------------------------------------
def add(a: Operand, b: Operand) -> Tensor:
    a, b = _pair(a, b)

    def backward(g: np.ndarray) -> Grads:
        return (unbroadcast(g, a.shape) if a.requires_grad else None,
                unbroadcast(g, b.shape) if b.requires_grad else None)
    return Tensor.from_op(a.data + b.data, (a, b), backward, "add")


def sub(a: Operand, b: Operand) -> Tensor:
    a, b = _pair(a, b)

    def backward(g: np.ndarray) -> Grads:
        return (unbroadcast(g, a.shape) if a.requires_grad else None,
                unbroadcast(-g, b.shape) if b.requires_grad else None)
    return Tensor.from_op(a.data - b.data, (a, b), backward, "sub")


def mul(a: Operand, b: Operand) -> Tensor:
    a, b = _pair(a, b)

    def backward(g: np.ndarray) -> Grads:
        return (unbroadcast(g * b.data, a.shape) if a.requires_grad else None,
                unbroadcast(g * a.data, b.shape) if b.requires_grad else None)
    return Tensor.from_op(a.data * b.data, (a, b), backward, "mul")


def div(a: Operand, b: Operand) -> Tensor:
    a, b = _pair(a, b)
    out = a.data / b.data

    def backward(g: np.ndarray) -> Grads:
        ga = g / b.data
        # d(a/b)/db = -a/b^2 = -(g/b) * (a/b)
        return (unbroadcast(ga, a.shape) if a.requires_grad else None,
                unbroadcast(-ga * out, b.shape) if b.requires_grad else None)
    return Tensor.from_op(out, (a, b), backward, "div")


def neg(a: Operand) -> Tensor:
    a = _const(a)
    return Tensor.from_op(-a.data, (a,), lambda g: (-g,), "neg")


def pow(a: Operand, b: Operand) -> Tensor:
    """a ** b; b may be a Python number (the usual case) or a Tensor."""
    if isinstance(b, _SCALARS) and isinstance(a, Tensor):
        base, p = a, b  # names the closure keeps (a is rebound below)
        out = base.data ** p

        def backward_scalar(g: np.ndarray) -> Grads:
            if p == 2:
                return (g * (2 * base.data),)
            return (g * (p * base.data ** (p - 1)),)
        return Tensor.from_op(out, (base,), backward_scalar, "pow")
    a, b = _pair(a, b)
    out = a.data ** b.data

    def backward(g: np.ndarray) -> Grads:
        ga = unbroadcast(g * b.data * a.data ** (b.data - 1), a.shape) if a.requires_grad else None
        gb = unbroadcast(g * out * np.log(a.data), b.shape) if b.requires_grad else None
        return ga, gb
    return Tensor.from_op(out, (a, b), backward, "pow")


def matmul(a: Operand, b: Operand) -> Tensor:
    """(..., n, k) @ (..., k, m) -> (..., n, m); 1-D operands as in np.matmul."""
    a, b = _pair(a, b)

    def backward(g: np.ndarray) -> Grads:
        if a.ndim == 1 and b.ndim == 1:  # dot product: g is a scalar
            return (g * b.data if a.requires_grad else None, g * a.data if b.requires_grad else None)
        a2 = a.data[None, :] if a.ndim == 1 else a.data
        b2 = b.data[:, None] if b.ndim == 1 else b.data
        g2 = g
        if a.ndim == 1:
            g2 = np.expand_dims(g2, -2)
        if b.ndim == 1:
            g2 = np.expand_dims(g2, -1)
        ga = gb = None
        if a.requires_grad:
            ga = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if b.requires_grad:
            gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape)
        return ga, gb
    return Tensor.from_op(a.data @ b.data, (a, b), backward, "matmul")


def linear(x: Operand, w: Operand, b: Operand | None = None) -> Tensor:
    """Dense layer as one node: x: (N, in), w: (in, out), b: (out,) -> (N, out)."""
    x, w = _const(x), _const(w)
    out = x.data @ w.data
    if b is not None:
        b = _const(b)
        out += b.data  # in place on the fresh matmul result: one temporary fewer

    def backward(g: np.ndarray) -> Grads:
        gx = g @ w.data.T if x.requires_grad else None
        gw = x.data.T @ g if w.requires_grad else None
        if b is None:
            return gx, gw
        return gx, gw, (g.sum(axis=0) if b.requires_grad else None)
    parents = (x, w) if b is None else (x, w, b)
    return Tensor.from_op(out, parents, backward, "linear")


def exp(a: Operand) -> Tensor:
    a = _const(a)
    out = np.exp(a.data)
    return Tensor.from_op(out, (a,), lambda g: (g * out,), "exp")


def log(a: Operand) -> Tensor:
    a = _const(a)
    return Tensor.from_op(np.log(a.data), (a,), lambda g: (g / a.data,), "log")


def sin(a: Operand) -> Tensor:
    a = _const(a)
    return Tensor.from_op(np.sin(a.data), (a,), lambda g: (g * np.cos(a.data),), "sin")


def cos(a: Operand) -> Tensor:
    a = _const(a)
    return Tensor.from_op(np.cos(a.data), (a,), lambda g: (g * -np.sin(a.data),), "cos")


# --- reductions ----------------------------------------------------------------------
def _expand(g: np.ndarray, shape: tuple[int, ...], axis: Axis, keepdims: bool) -> np.ndarray:
    """Undo a reduction's shape change on its gradient (a read-only broadcast view)."""
    if axis is not None and not keepdims:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, shape)


def sum(a: Operand, axis: Axis = None, keepdims: bool = False) -> Tensor:
    a = _const(a)
    out = a.data.sum(axis=axis, keepdims=keepdims)
    return Tensor.from_op(out, (a,), lambda g: (_expand(g, a.shape, axis, keepdims),), "sum")


def mean(a: Operand, axis: Axis = None, keepdims: bool = False) -> Tensor:
    a = _const(a)
    out = a.data.mean(axis=axis, keepdims=keepdims)
    count = a.size // out.size if out.size else 1
    return Tensor.from_op(out, (a,), lambda g: (_expand(g * (1.0 / count), a.shape, axis, keepdims),), "mean")


def max(a: Operand, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Maximum; the gradient is split evenly among tied maxima (as in PyTorch's amax)."""
    a = _const(a)
    out = a.data.max(axis=axis, keepdims=keepdims)

    def backward(g: np.ndarray) -> Grads:
        kept = out if keepdims or axis is None else np.expand_dims(out, axis)
        mask = a.data == kept
        share = mask / mask.sum(axis=axis, keepdims=True)
        return (_expand(g, a.shape, axis, keepdims) * share.astype(a.dtype, copy=False),)
    return Tensor.from_op(out, (a,), backward, "max")


# --- shape ops -----------------------------------------------------------------------
def reshape(a: Operand, shape: int | Sequence[int]) -> Tensor:
    a = _const(a)
    return Tensor.from_op(a.data.reshape(shape), (a,), lambda g: (g.reshape(a.shape),), "reshape")


def flatten(a: Operand) -> Tensor:
    """(N, ...) -> (N, prod(...))."""
    a = _const(a)
    return reshape(a, (a.shape[0], -1))


def transpose(a: Operand, axes: Sequence[int] | None = None) -> Tensor:
    a = _const(a)
    inverse = None if axes is None else tuple(np.argsort(axes))
    return Tensor.from_op(a.data.transpose(axes), (a,), lambda g: (g.transpose(inverse),), "transpose")


def _is_basic_index(index: object) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice)) for i in items)


def getitem(a: Operand, index: Any) -> Tensor:
    a = _const(a)
    if isinstance(index, Tensor):
        index = index.data
    elif isinstance(index, tuple):
        index = tuple(i.data if isinstance(i, Tensor) else i for i in index)
    basic = _is_basic_index(index)

    def backward(g: np.ndarray) -> Grads:
        grad = np.zeros(a.shape, dtype=g.dtype)
        if basic:
            grad[index] = g  # a basic slice selects each element at most once
        else:
            np.add.at(grad, index, g)  # fancy indices may repeat an element
        return (grad,)
    return Tensor.from_op(a.data[index], (a,), backward, "getitem")


def concatenate(tensors: Iterable[Operand], axis: int = 0) -> Tensor:
    parts = tuple(_const(t) for t in tensors)
    out = np.concatenate([t.data for t in parts], axis=axis)
    cuts = np.cumsum([t.shape[axis] for t in parts])[:-1]

    def backward(g: np.ndarray) -> Grads:
        return tuple(p if t.requires_grad else None for t, p in zip(parts, np.split(g, cuts, axis=axis)))
    return Tensor.from_op(out, parts, backward, "concatenate")


# --- activations ------------------------------------------------------------------------
def relu(a: Operand) -> Tensor:
    a = _const(a)
    out = np.maximum(a.data, 0)
    return Tensor.from_op(out, (a,), lambda g: (g * (out > 0),), "relu")


def leaky_relu(a: Operand, alpha: float = 0.01) -> Tensor:
    a = _const(a)
    positive = a.data > 0
    out = np.where(positive, a.data, a.data * alpha)
    return Tensor.from_op(out, (a,), lambda g: (np.where(positive, g, g * alpha),), "leaky_relu")


def stable_sigmoid(x: np.ndarray) -> np.ndarray:
    # exp of a non-positive number only: no overflow for large |x|, full precision in both tails.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid(a: Operand) -> Tensor:
    a = _const(a)
    out = stable_sigmoid(a.data)
    return Tensor.from_op(out, (a,), lambda g: (g * out * (1 - out),), "sigmoid")


def tanh(a: Operand) -> Tensor:
    a = _const(a)
    out = np.tanh(a.data)
    return Tensor.from_op(out, (a,), lambda g: (g * (1 - out * out),), "tanh")


def softmax(a: Operand, axis: int = -1) -> Tensor:
    a = _const(a)
    e = np.exp(a.data - a.data.max(axis=axis, keepdims=True))
    out = e / e.sum(axis=axis, keepdims=True)

    def backward(g: np.ndarray) -> Grads:
        return (out * (g - (g * out).sum(axis=axis, keepdims=True)),)
    return Tensor.from_op(out, (a,), backward, "softmax")


def log_softmax(a: Operand, axis: int = -1) -> Tensor:
    a = _const(a)
    shifted = a.data - a.data.max(axis=axis, keepdims=True)
    out = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))

    def backward(g: np.ndarray) -> Grads:
        return (g - np.exp(out) * g.sum(axis=axis, keepdims=True),)
    return Tensor.from_op(out, (a,), backward, "log_softmax")


def dropout(a: Operand, p: float, rng: np.random.Generator | None = None, training: bool = True) -> Tensor:
    """Inverted dropout: zero each unit with probability p, scale the rest by
    1/(1-p) so that nothing changes at inference, where this is the identity."""
    a = _const(a)
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout rate must be in [0, 1), got {p}")
    if not training or p == 0.0:
        return a
    if rng is None:
        raise ValueError("dropout in training needs an np.random.Generator")
    dtype = a.dtype if a.dtype in (np.float32, np.float64) else np.dtype(np.float64)
    mask = (rng.random(a.shape, dtype=dtype) >= p).astype(dtype) * dtype.type(1.0 / (1.0 - p))
    return Tensor.from_op(a.data * mask, (a,), lambda g: (g * mask,), "dropout")


ACTIVATIONS = {
    "relu": relu,
    "leaky_relu": leaky_relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
    "linear": lambda a: _const(a),
}
