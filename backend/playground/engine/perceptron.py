"""The perceptron of the course notes, with its own trainer (no autodiff needed).

Binary: f(x) = 1 if b + w·x > 0 else 0, labels a in {0, 1}.
Multi-class: K output units, prediction argmax(x W + b), labels a in [0, K);
the error is onehot(a) - onehot(prediction).

The rule, weights starting at 0:  w += lr (a - f(x)) x,  b += lr (a - f(x)).
With batch_size = 1 (the default) it is applied sample by sample, the classic
algorithm; with a larger batch the update is averaged over the batch, as in the
notes' "Backpropagation on batch learning". Training stops when an epoch
changes nothing (every sample already right: converged) or after max_epochs.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike


class Perceptron:
    """Binary perceptron: w: (D,), b: scalar; step activation."""

    def __init__(self, n_inputs: int):
        self.w = np.zeros(n_inputs)
        self.b = 0.0

    def predict(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) -> int (N,) in {0, 1}."""
        return (x @ self.w + self.b > 0).astype(np.int64)

    def update(self, x: np.ndarray, a: np.ndarray, lr: float) -> int:
        """One application of the rule on a batch x: (B, D), a: (B,); returns #errors."""
        err = a - self.predict(x)
        wrong = int(np.count_nonzero(err))
        if wrong:
            self.w += lr * (err @ x) / len(x)
            self.b += lr * err.mean()
        return wrong

    def check_labels(self, y: np.ndarray) -> None:
        if not np.isin(y, (0, 1)).all():
            raise ValueError("binary perceptron labels must be 0 or 1")


class MultiClassPerceptron:
    """K-class perceptron: W: (D, K), b: (K,); prediction argmax."""

    def __init__(self, n_inputs: int, n_classes: int):
        if n_classes < 2:
            raise ValueError(f"n_classes must be >= 2, got {n_classes}")
        self.w = np.zeros((n_inputs, n_classes))
        self.b = np.zeros(n_classes)
        self.n_classes = n_classes

    def scores(self, x: np.ndarray) -> np.ndarray:
        return x @ self.w + self.b

    def predict(self, x: np.ndarray) -> np.ndarray:
        """x: (N, D) -> int (N,); ties go to the lowest class index (np.argmax)."""
        return np.argmax(self.scores(x), axis=1)

    def update(self, x: np.ndarray, a: np.ndarray, lr: float) -> int:
        rows = np.arange(len(x))
        y = np.zeros((len(x), self.n_classes))
        y[rows, a] = 1.0
        y[rows, self.predict(x)] -= 1.0  # onehot(label) - onehot(prediction): zero where right
        wrong = int(np.count_nonzero(y.any(axis=1)))
        if wrong:
            self.w += lr * (x.T @ y) / len(x)
            self.b += lr * y.mean(axis=0)
        return wrong

    def check_labels(self, y: np.ndarray) -> None:
        if y.size and (y.min() < 0 or y.max() >= self.n_classes):
            raise ValueError(f"labels must lie in [0, {self.n_classes})")


@dataclass
class PerceptronResult:
    converged: bool          # an epoch made no update
    epochs: int              # epochs run
    errors: list[int] = field(default_factory=list)  # misclassified samples seen during each epoch


def train_perceptron(model: Perceptron, x: ArrayLike, y: ArrayLike, lr: float = 1.0, max_epochs: int = 100, batch_size: int = 1,
                     shuffle: bool = False, rng: np.random.Generator | None = None) -> PerceptronResult:
    """Apply the perceptron rule epoch after epoch. x: (N, D), y: int (N,)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    if x.ndim != 2 or y.shape != (len(x),):
        raise ValueError(f"x must be (N, D) and y (N,), got {x.shape} and {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        if not np.all(y == np.round(y)):
            raise ValueError("perceptron labels must be integers")
        y = y.astype(np.int64)
    model.check_labels(y)
    if max_epochs < 1 or batch_size < 1:
        raise ValueError("max_epochs and batch_size must be >= 1")
    if shuffle and rng is None:
        raise ValueError("shuffle needs an np.random.Generator")
    result = PerceptronResult(converged=False, epochs=0)
    for _ in range(max_epochs):
        order = rng.permutation(len(x)) if shuffle and rng is not None else np.arange(len(x))
        errors = 0
        # The rule is sequential: each update changes the weights the next
        # sample is judged by, so this loop over samples is the algorithm
        # itself (batch_size > 1 vectorizes within each batch).
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            errors += model.update(x[idx], y[idx], lr)
        result.epochs += 1
        result.errors.append(errors)
        if errors == 0:
            result.converged = True
            break
    return result
