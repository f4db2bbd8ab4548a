"""Reverse-mode autodiff over the graph Tensor.from_op records: backward(root).

The graph is walked in reverse topological order, iteratively, so a chain of
thousands of ops does not hit Python's recursion limit, and the gradients of a
tensor used more than once (fan-out) are added up.

Gradient arrays returned by an op may alias other arrays (``add`` hands the same
``grad_out`` to both parents), so this never mutates a gradient it did not
allocate itself: the first gradient reaching a node is stored as is, a second one
is added out of place, and only that freshly allocated sum may be added to in place.

Only leaves (tensors created with ``requires_grad=True``, such as parameters)
keep ``.grad``; intermediate gradients are dropped as soon as they are used
unless ``retain_grad()`` was called. The node fields read here (_parents,
_backward, _retain) are Tensor's; this module is the graph's other half.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor


def topological_order(root: Tensor) -> list[Tensor]:
    """Nodes that need a gradient, every parent before its children."""
    order: list[Tensor] = []
    visited: set[int] = set()
    stack = [(root, False)]
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


def backward(root: Tensor, grad: Any = None) -> None:
    """Fill ``.grad`` of every leaf ``root`` depends on (accumulating)."""
    if not root.requires_grad:
        raise RuntimeError("backward() on a tensor that does not require grad")
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(f"backward() without a gradient needs a scalar, got shape {root.shape}")
        grad = np.ones_like(root.data)
    else:
        grad = np.asarray(getattr(grad, "data", grad), dtype=root.dtype)
        if grad.shape != root.shape:
            raise ValueError(f"gradient shape {grad.shape} does not match tensor shape {root.shape}")
    grads: dict[int, Any] = {id(root): grad}
    owned: set[int] = set()  # ids whose pending gradient was allocated here and may be added to in place
    for node in reversed(topological_order(root)):
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
