"""Train / validation split with a seed, and mini-batches (shuffled or in file order)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

MAX_VAL_SPLIT = 0.9


def train_val_split(x: np.ndarray, y: np.ndarray, val_split: float,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out round(N * val_split) random samples -> (x_train, y_train, x_val, y_val).

    Both parts keep the file's order (the chosen indices are sorted), so training
    without shuffling still walks the data as stored. val_split = 0 returns the
    arrays themselves and empty validation arrays.
    """
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} samples but y has {len(y)}")
    val_split = float(val_split)
    if not 0.0 <= val_split <= MAX_VAL_SPLIT:
        raise ValueError(f"val_split must be in [0, {MAX_VAL_SPLIT}], got {val_split}")
    n = len(x)
    n_val = int(round(n * val_split))
    if n_val == 0:
        return x, y, x[:0], y[:0]
    if n_val >= n:
        raise ValueError(f"val_split {val_split} of {n} samples leaves none for training")
    chosen = rng.permutation(n)
    val_idx = np.sort(chosen[:n_val])
    train_idx = np.sort(chosen[n_val:])
    return x[train_idx], y[train_idx], x[val_idx], y[val_idx]


def iterate_minibatches(x: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool,
                        rng: np.random.Generator | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (xb, yb) of batch_size samples; the last partial batch is kept.

    shuffle=False: batch k is samples [k*B, (k+1)*B) in file order (views, no copy).
    shuffle=True: a fresh permutation from `rng` for each call (one epoch).
    """
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} samples but y has {len(y)}")
    if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    batch_size = int(batch_size)
    n = len(x)
    if not shuffle:
        for start in range(0, n, batch_size):
            yield x[start:start + batch_size], y[start:start + batch_size]
        return
    if rng is None:
        raise ValueError("shuffle=True needs an np.random.Generator")
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        yield x[idx], y[idx]
