"""Tensor: an ndarray that remembers how it was made, and reverse-mode autodiff.

Every differentiable op (ops.py, conv.py, losses.py) builds its result with
``Tensor.from_op(data, parents, backward, op)``; ``backward(grad_out)`` returns
one gradient per parent (``None`` where a parent needs none). ``Tensor.backward()``
walks the recorded graph in reverse topological order (iteratively, so a chain of
thousands of ops does not hit Python's recursion limit) and adds up the gradients
of a tensor used more than once (fan-out).

Gradient arrays returned by an op may alias other arrays (``add`` hands the same
``grad_out`` to both parents), so the engine never mutates a gradient it did not
allocate itself: the first gradient reaching a node is stored as is, a second one
is added out of place, and only that freshly allocated sum may be added to in place.

Only leaves (tensors created by the user with ``requires_grad=True``, such as
parameters) keep ``.grad`` after ``backward()``; intermediate gradients are
dropped as soon as they are used unless ``retain_grad()`` was called.
"""
from __future__ import annotations

import contextlib
import threading

import numpy as np

_state = threading.local()


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (per thread, like PyTorch's grad mode)."""
    return getattr(_state, "enabled", True)


@contextlib.contextmanager
def no_grad():
    """Context manager (also usable as a decorator): record no graph inside."""
    previous = is_grad_enabled()
    _state.enabled = False
    try:
        yield
    finally:
        _state.enabled = previous


class Tensor:
    """data: np.ndarray, grad: np.ndarray | None (same shape), requires_grad, op."""

    __slots__ = ("data", "grad", "requires_grad", "op", "_parents", "_backward", "_retain", "__weakref__")
    # Makes ``ndarray + Tensor`` call Tensor.__radd__ instead of broadcasting
    # the Tensor as an object array.
    __array_priority__ = 1000.0

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        data = np.asarray(data, dtype=dtype)
        if requires_grad and not np.issubdtype(data.dtype, np.floating):
            raise TypeError(f"only floating-point tensors can require grad, got {data.dtype}")
        self.data = data
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.op = ""
        self._parents = ()
        self._backward = None
        self._retain = False

    @staticmethod
    def from_op(data, parents: tuple, backward, op: str) -> Tensor:
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
    def shape(self) -> tuple:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self):
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

    # --- autodiff -----------------------------------------------------------------
    def _topological_order(self) -> list:
        """Nodes that need a gradient, every parent before its children."""
        order, visited = [], set()
        stack = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            for parent in node._parents:
                if parent.requires_grad and id(parent) not in visited:
                    stack.append((parent, False))
        return order

    def backward(self, grad=None) -> None:
        """Fill ``.grad`` of every leaf this tensor depends on (accumulating)."""
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward() without a gradient needs a scalar, got shape {self.shape}")
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if grad.shape != self.shape:
                raise ValueError(f"gradient shape {grad.shape} does not match tensor shape {self.shape}")
        grads = {id(self): grad}
        owned = set()  # ids whose pending gradient was allocated here and may be added to in place
        for node in reversed(self._topological_order()):
            g = grads.pop(id(node), None)
            if g is None:
                continue
            if node._backward is None:
                if node.grad is None:
                    # Broadcast views (from sum/mean) are read-only and 0-d results come
                    # back as NumPy scalars; a leaf's grad must be a writable array.
                    node.grad = g if type(g) is np.ndarray and g.flags.writeable else np.array(g)
                else:
                    node.grad = np.asarray(node.grad + g)
                continue
            if node._retain:
                node.grad = g if node.grad is None else node.grad + g
            for parent, pg in zip(node._parents, node._backward(g)):
                if pg is None or not parent.requires_grad:
                    continue
                key = id(parent)
                pending = grads.get(key)
                if pending is None:
                    grads[key] = pg
                elif key in owned:
                    pending += pg
                    grads[key] = pending  # rebinds only for NumPy scalars, which += cannot mutate
                else:
                    grads[key] = pending + pg
                    owned.add(key)

    # --- operators (all delegate to ops.py) -----------------------------------------
    def __add__(self, other):
        return _ops.add(self, other)

    def __radd__(self, other):
        return _ops.add(other, self)

    def __sub__(self, other):
        return _ops.sub(self, other)

    def __rsub__(self, other):
        return _ops.sub(other, self)

    def __mul__(self, other):
        return _ops.mul(self, other)

    def __rmul__(self, other):
        return _ops.mul(other, self)

    def __truediv__(self, other):
        return _ops.div(self, other)

    def __rtruediv__(self, other):
        return _ops.div(other, self)

    def __neg__(self):
        return _ops.neg(self)

    def __pow__(self, exponent):
        return _ops.pow(self, exponent)

    def __rpow__(self, base):
        return _ops.pow(base, self)

    def __matmul__(self, other):
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        return _ops.matmul(other, self)

    def __getitem__(self, index):
        return _ops.getitem(self, index)

    # Comparisons give plain boolean arrays: they have no gradient.
    def __lt__(self, other):
        return self.data < _raw(other)

    def __le__(self, other):
        return self.data <= _raw(other)

    def __gt__(self, other):
        return self.data > _raw(other)

    def __ge__(self, other):
        return self.data >= _raw(other)

    def __eq__(self, other):
        return self.data == _raw(other)

    def __ne__(self, other):
        return self.data != _raw(other)

    # __eq__ is elementwise, so identity hashing must be restored explicitly.
    __hash__ = object.__hash__

    # --- methods (all delegate to ops.py) ---------------------------------------------
    @property
    def T(self):
        return _ops.transpose(self)

    def reshape(self, *shape):
        return _ops.reshape(self, shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape)

    def transpose(self, *axes):
        return _ops.transpose(self, (axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes) or None)

    def flatten(self):
        return _ops.flatten(self)

    def sum(self, axis=None, keepdims=False):
        return _ops.sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        return _ops.mean(self, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        return _ops.max(self, axis, keepdims)

    def exp(self):
        return _ops.exp(self)

    def log(self):
        return _ops.log(self)

    def relu(self):
        return _ops.relu(self)

    def leaky_relu(self, alpha=0.01):
        return _ops.leaky_relu(self, alpha)

    def sigmoid(self):
        return _ops.sigmoid(self)

    def tanh(self):
        return _ops.tanh(self)

    def softmax(self, axis=-1):
        return _ops.softmax(self, axis)

    def log_softmax(self, axis=-1):
        return _ops.log_softmax(self, axis)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


# Imported last: ops.py imports Tensor from this module.
from playground.engine import ops as _ops  # noqa: E402
