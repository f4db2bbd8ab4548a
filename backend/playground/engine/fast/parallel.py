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
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np

from playground.engine.optim import part_bounds
from playground.engine.tensor import Tensor

if TYPE_CHECKING:  # for annotations only: model.py imports this package
    from playground.engine.model import Model
    from playground.engine.optim import Optimizer

# One shard of a batch: (index, inputs, targets, its share of the batch).
Shard = tuple[int, np.ndarray, np.ndarray, float]


def replicate(model: Model, rng: np.random.Generator) -> Model:
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
    """``step(xb, tb, optimizer=None) -> (loss, outputs)``: forward and backward of
    one batch over `threads` threads.

    Without an optimizer the gradients are left summed in ``model.parameters()``.
    With one, the threads also sum the gradients and update the weights,
    each its own contiguous slice of every parameter (``Optimizer.update_part``),
    after all have finished their backward: the sum and the update are then
    not serial work the second core waits on. The optimizer's step is counted
    once, before the parts; no update happens when the loss is not finite.
    """

    def __init__(self, model: Model, loss_fn: Callable[[Tensor, np.ndarray], Tensor], threads: int) -> None:
        if threads < 2:
            raise ValueError(f"SplitStep needs at least 2 threads, got {threads}")
        self.model, self.loss_fn, self.threads = model, loss_fn, threads
        seeds = model.rng.integers(2**63, size=threads - 1)
        self.replicas = [model] + [replicate(model, np.random.default_rng(s)) for s in seeds]
        # each replica's parameter Tensors, fixed for its life (read every step)
        self._params = [r.parameters() for r in self.replicas]
        self._pool = ThreadPoolExecutor(threads - 1, thread_name_prefix="split-step")

    def _shard(self, k: int, x: np.ndarray, t: np.ndarray, weight: float) -> tuple[float, np.ndarray]:
        out = self.replicas[k](x, training=True)
        loss = self.loss_fn(out, t)
        value = loss.item()
        if math.isfinite(value):
            loss.backward(np.asarray(weight, dtype=loss.dtype))
        return value, out.data

    def _reduce_part(self, k: int, parts: int, used: int) -> None:
        """Sum the replicas' gradients into the model's, slice k of `parts` of each
        parameter (the same slices update_part takes), whole arrays by part 0
        where a gradient is not C-contiguous."""
        others = self._params[1:used]
        for i, mine in enumerate(self._params[0]):
            grads = [params[i].grad for params in others]
            theirs = [g for g in grads if g is not None]
            if not theirs:
                continue
            if mine.grad is None:
                # Only when shard 0 did no backward (a non-finite loss), and
                # then nothing is updated: the other parts never look here.
                if k == 0:
                    mine.grad = theirs[0].copy()
                    for g in theirs[1:]:
                        mine.grad += g
                continue
            arrays = [mine.grad, *theirs]
            if parts > 1 and all(a.flags.c_contiguous for a in arrays):
                lo, hi = part_bounds(mine.grad.size, k, parts)
                acc = mine.grad.reshape(-1)[lo:hi]
                for g in theirs:
                    acc += g.reshape(-1)[lo:hi]
            elif k == 0:
                for g in theirs:
                    mine.grad += g

    def _part(self, k: int, shard: Shard, barrier: threading.Barrier, losses: list[tuple[float, np.ndarray]],
              optimizer: Optimizer | None, used: int) -> None:
        try:
            losses[k] = self._shard(*shard)
            if optimizer is None:
                return
            barrier.wait()
        except BaseException:
            barrier.abort()     # the other threads stop waiting and raise BrokenBarrierError
            raise
        total = sum(value * weight for (value, _), weight in zip(losses, self._weights))
        if not math.isfinite(total):
            return
        # Slice k of every parameter is summed and then updated by this same
        # thread k, so no second barrier is needed between the two.
        self._reduce_part(k, used, used)
        optimizer.update_part(k, used)

    def __call__(self, xb: np.ndarray, tb: np.ndarray, optimizer: Optimizer | None = None) -> tuple[float, np.ndarray]:
        n = len(xb)
        bounds = np.linspace(0, n, min(self.threads, n) + 1).astype(int)
        shards = [(k, xb[lo:hi], tb[lo:hi], (hi - lo) / n)
                  for k, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:]))]
        used = len(shards)
        self._weights = [s[3] for s in shards]
        losses: list = [None] * used
        barrier = threading.Barrier(used)
        if optimizer is not None:
            optimizer.begin_step()
        futures = [self._pool.submit(self._part, k, shards[k], barrier, losses, optimizer, used)
                   for k in range(1, used)]
        errors = []
        try:
            self._part(0, shards[0], barrier, losses, optimizer, used)
        except BaseException as exc:
            errors.append(exc)
        errors += [e for e in (f.exception() for f in futures) if e is not None]
        if errors:
            # the first failure, not the BrokenBarrierError it caused in the others
            real = [e for e in errors if not isinstance(e, threading.BrokenBarrierError)]
            raise (real or errors)[0]
        if optimizer is None:
            self._reduce_part(0, 1, used)
        for params in self._params[1:used]:
            for p in params:
                p.grad = None
        loss = sum(value * weight for (value, _), weight in zip(losses, self._weights))
        if optimizer is not None and not math.isfinite(loss):
            optimizer.t -= 1        # counted in advance, but no part updated anything
        return loss, np.concatenate([out for _, out in losses])

    def close(self) -> None:
        self._pool.shutdown(wait=True)
