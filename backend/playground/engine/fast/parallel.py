"""One training step's forward and backward split over threads.

NumPy releases the GIL inside its kernels, so Python threads that each run
part of a batch use several cores. Each thread owns a replica of the model:
the same layers and the very same weight arrays, but its own parameter
Tensors, so each backward fills its own ``.grad`` without racing the others.
The gradients are then summed into the model's own parameters, and the
optimizer steps once, exactly as for the whole batch:

    loss = sum_k (n_k / N) * loss_k     (loss_k: the mean over shard k, n_k rows)
    grad = sum_k (n_k / N) * grad_k

BLAS itself should run one thread per Python thread meanwhile (the Trainer
limits it with threadpoolctl): OpenBLAS's own threads gain little on these
small matrices and fight the Python threads for the cores.

Dropout: each replica draws its masks from its own generator, seeded once from
the model's, so a run with a given seed and thread count is reproducible. A
checkpoint holds only the model's generator, so a resumed run with dropout
and threads > 1 draws other masks than an uninterrupted one would.
"""

from __future__ import annotations

import copy
import math
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from playground.engine.tensor import Tensor


def replicate(model, rng: np.random.Generator):
    """A model sharing `model`'s weight arrays with fresh parameter Tensors."""
    layers = []
    for layer in model.layers:
        twin = copy.copy(layer)
        twin.weights = [(name, Tensor(t.data, requires_grad=True)) for name, t in layer.weights]
        for name, t in twin.weights:
            setattr(twin, name, t)
        layers.append(twin)
    twin_model = type(model)(model.report, layers, rng, model.dtype)
    twin_model.rng = rng                    # dropout layers draw from the replica's own generator
    twin_model.fast = model.fast
    return twin_model


class SplitStep:
    """``step(xb, tb) -> (loss, outputs)``: forward and backward of one batch over
    `threads` threads, gradients left summed in ``model.parameters()``."""

    def __init__(self, model, loss_fn, threads: int):
        if threads < 2:
            raise ValueError(f"SplitStep needs at least 2 threads, got {threads}")
        self.model, self.loss_fn, self.threads = model, loss_fn, threads
        seeds = model.rng.integers(2**63, size=threads - 1)
        self.replicas = [model] + [replicate(model, np.random.default_rng(s)) for s in seeds]
        self._pool = ThreadPoolExecutor(threads - 1, thread_name_prefix="split-step")

    def _shard(self, k: int, x: np.ndarray, t: np.ndarray, weight: float):
        out = self.replicas[k](x, training=True)
        loss = self.loss_fn(out, t)
        value = loss.item()
        if math.isfinite(value):
            loss.backward(np.asarray(weight, dtype=loss.dtype))
        return value, out.data

    def __call__(self, xb: np.ndarray, tb: np.ndarray) -> tuple[float, np.ndarray]:
        n = len(xb)
        bounds = np.linspace(0, n, min(self.threads, n) + 1).astype(int)
        shards = [(k, xb[lo:hi], tb[lo:hi], (hi - lo) / n)
                  for k, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:]))]
        futures = [self._pool.submit(self._shard, *s) for s in shards[1:]]
        results = [self._shard(*shards[0])] + [f.result() for f in futures]
        for replica in self.replicas[1:len(shards)]:
            for mine, theirs in zip(self.model.parameters(), replica.parameters()):
                if theirs.grad is not None:
                    if mine.grad is None:
                        mine.grad = theirs.grad
                    else:
                        mine.grad += theirs.grad
                    theirs.grad = None
        loss = sum(value * s[3] for (value, _), s in zip(results, shards))
        return loss, np.concatenate([out for _, out in results])

    def close(self) -> None:
        self._pool.shutdown(wait=True)
