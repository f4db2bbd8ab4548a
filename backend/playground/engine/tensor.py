"""Tensor: an ndarray that remembers how it was made.

Every differentiable op (ops.py, conv.py, losses.py) builds its result with
``Tensor.from_op(data, parents, backward, op)``; ``backward(grad_out)`` returns
one gradient per parent (``None`` where a parent needs none). ``Tensor.backward()``
hands the recorded graph to autodiff.py, which walks it in reverse; grad_mode.py
holds ``no_grad()`` (re-exported here, where callers have always found it).

Only leaves (tensors created by the user with ``requires_grad=True``, such as
parameters) keep ``.grad`` after ``backward()``; intermediate gradients are
dropped as soon as they are used unless ``retain_grad()`` was called.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import autodiff as _autodiff
from .grad_mode import is_grad_enabled, no_grad

__all__ = ["Tensor", "is_grad_enabled", "no_grad"]

# An op's backward: gradient of the output -> one gradient (or None) per parent.
Backward = Callable[[Any], tuple[Any, ...]]


class Tensor:
    """data: np.ndarray, grad: np.ndarray | None (same shape), requires_grad, op."""

    __slots__ = ("data", "grad", "requires_grad", "op", "_parents", "_backward", "_retain", "__weakref__")
    # Makes ``ndarray + Tensor`` call Tensor.__radd__ instead of broadcasting
    # the Tensor as an object array.
    __array_priority__ = 1000.0

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None):
        if isinstance(data, Tensor):
            data = data.data
        data = np.asarray(data, dtype=dtype)
        if requires_grad and not np.issubdtype(data.dtype, np.floating):
            raise TypeError(f"only floating-point tensors can require grad, got {data.dtype}")
        self.data: np.ndarray = data
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self.op = ""
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Backward | None = None
        self._retain = False

    @staticmethod
    def from_op(data: Any, parents: tuple[Tensor, ...], backward: Backward, op: str) -> Tensor:
        """The result of an op. backward(grad_out) -> tuple of gradients, one per
        parent (None where a parent needs none). Records the node only if grad is
        enabled and some parent requires grad; otherwise returns a plain leaf."""
        # Built without __init__: this runs once per op per step, so skip its checks.
        out = Tensor.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else np.asarray(data)
        out.grad = None
        out._retain = False
        if is_grad_enabled() and any(p.requires_grad for p in parents):
            out.requires_grad = True
            out.op = op
            out._parents = parents
            out._backward = backward
        else:
            out.requires_grad = False
            out.op = ""
            out._parents = ()
            out._backward = None
        return out

    # --- array-like properties -------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype[Any]:
        return self.data.dtype

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        return self._backward is None

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        extra = f", op={self.op!r}" if self.op else (", requires_grad=True" if self.requires_grad else "")
        return f"Tensor({np.array2string(self.data, precision=4, threshold=20)}, dtype={self.dtype}{extra})"

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self) -> float:
        return self.data.item()

    def detach(self) -> Tensor:
        """Same data, cut from the graph."""
        return Tensor(self.data)

    def zero_grad(self) -> None:
        self.grad = None

    def retain_grad(self) -> None:
        """Keep this intermediate tensor's gradient in ``.grad`` after backward()."""
        self._retain = True

    # --- autodiff (autodiff.py walks the graph) ------------------------------------
    def backward(self, grad: Tensor | np.ndarray | float | None = None) -> None:
        """Fill ``.grad`` of every leaf this tensor depends on (accumulating)."""
        _autodiff.backward(self, grad)

    # --- operators (all delegate to ops.py) -----------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return _ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.div(other, self)

    def __neg__(self) -> Tensor:
        return _ops.neg(self)

    def __pow__(self, exponent: Any) -> Tensor:
        return _ops.pow(self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _ops.pow(base, self)

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.matmul(other, self)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.getitem(self, index)

    # Comparisons give plain boolean arrays: they have no gradient.
    def __lt__(self, other: object) -> Any:
        return self.data < _raw(other)

    def __le__(self, other: object) -> Any:
        return self.data <= _raw(other)

    def __gt__(self, other: object) -> Any:
        return self.data > _raw(other)

    def __ge__(self, other: object) -> Any:
        return self.data >= _raw(other)

    def __eq__(self, other: object) -> Any:
        return self.data == _raw(other)

    def __ne__(self, other: object) -> Any:
        return self.data != _raw(other)

    # __eq__ is elementwise, so identity hashing must be restored explicitly.
    __hash__ = object.__hash__

    # --- methods (all delegate to ops.py) ---------------------------------------------
    @property
    def T(self) -> Tensor:
        return _ops.transpose(self)

    def reshape(self, *shape: Any) -> Tensor:
        return _ops.reshape(self, shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape)

    def transpose(self, *axes: Any) -> Tensor:
        return _ops.transpose(self, (axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes) or None)

    def flatten(self) -> Tensor:
        return _ops.flatten(self)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return _ops.max(self, axis, keepdims)

    def exp(self) -> Tensor:
        return _ops.exp(self)

    def log(self) -> Tensor:
        return _ops.log(self)

    def relu(self) -> Tensor:
        return _ops.relu(self)

    def leaky_relu(self, alpha: float = 0.01) -> Tensor:
        return _ops.leaky_relu(self, alpha)

    def sigmoid(self) -> Tensor:
        return _ops.sigmoid(self)

    def tanh(self) -> Tensor:
        return _ops.tanh(self)

    def softmax(self, axis: int = -1) -> Tensor:
        return _ops.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return _ops.log_softmax(self, axis)


def _raw(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


# Imported last: ops.py imports Tensor from this module.
from playground.engine import ops as _ops  # noqa: E402
