"""Loss functions, each one fused node with a numerically stable forward and a
closed-form backward (no graph of small ops, no overflow for huge logits).

- softmax_cross_entropy(logits (N, K), labels int (N,)) -> mean over the batch;
  backward (softmax - onehot) / N.
- mse(pred, target) -> mean of squared errors over all elements.
- binary_cross_entropy(logits (N, 1) or (N,), target in [0, 1]) -> mean;
  takes logits, backward (sigmoid(z) - t) / n.
"""
from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from playground.engine.ops import stable_sigmoid
from playground.engine.tensor import Tensor


def _as_tensor(x: Tensor | ArrayLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _target_like(pred: Tensor, target: Tensor | ArrayLike) -> np.ndarray:
    """Target as an array of pred's shape and dtype. A (N,) target for (N, 1)
    predictions is reshaped, not broadcast to (N, N): the classic silent bug."""
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    if t.shape != pred.shape:
        if t.size != pred.size:
            raise ValueError(f"target shape {t.shape} does not match prediction shape {pred.shape}")
        t = t.reshape(pred.shape)
    return t.astype(pred.dtype, copy=False)


def softmax_cross_entropy(logits: Tensor | ArrayLike, labels: Tensor | ArrayLike) -> Tensor:
    """logits: (N, K), labels: int (N,) in [0, K) -> scalar mean cross-entropy."""
    logits = _as_tensor(logits)
    labels = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
    if logits.ndim != 2:
        raise ValueError(f"logits must be (N, K), got shape {logits.shape}")
    n, k = logits.shape
    if labels.shape != (n,) or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"labels must be integers of shape ({n},), got {labels.dtype} {labels.shape}")
    if n and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(f"labels must lie in [0, {k}), got range [{labels.min()}, {labels.max()}]")
    rows = np.arange(n)
    shifted = logits.data - logits.data.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = np.asarray((np.log(total[:, 0]) - shifted[rows, labels]).mean(), dtype=logits.dtype)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        grad = e / total  # the softmax, from the forward pass's exponentials
        grad[rows, labels] -= 1
        grad *= g / n
        return (grad,)
    return Tensor.from_op(loss, (logits,), backward, "softmax_cross_entropy")


def mse(pred: Tensor | ArrayLike, target: Tensor | ArrayLike) -> Tensor:
    """Mean squared error over all elements; the target gets no gradient."""
    pred = _as_tensor(pred)
    diff = pred.data - _target_like(pred, target)
    loss = np.asarray(np.mean(diff * diff), dtype=pred.dtype)
    return Tensor.from_op(loss, (pred,), lambda g: (diff * (g * (2.0 / diff.size)),), "mse")


def binary_cross_entropy(logits: Tensor | ArrayLike, target: Tensor | ArrayLike) -> Tensor:
    """Mean of -t log s(z) - (1-t) log(1-s(z)) with s = sigmoid, from logits z:
    written max(z, 0) - z t + log(1 + exp(-|z|)), which never overflows."""
    logits = _as_tensor(logits)
    z = logits.data
    t = _target_like(logits, target)
    loss = np.asarray(np.mean(np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))), dtype=logits.dtype)
    return Tensor.from_op(loss, (logits,), lambda g: ((stable_sigmoid(z) - t) * (g / z.size),), "binary_cross_entropy")


LOSSES = {
    "softmax_cross_entropy": softmax_cross_entropy,
    "mse": mse,
    "binary_cross_entropy": binary_cross_entropy,
}
