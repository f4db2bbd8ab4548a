"""How much of a training step is matrix products: the floors under the
engine's speed.

The MLP's step (batch 128, 784-256-128-10) is 8 matrix products: 3 forward,
3 weight gradients and 2 input gradients (the first layer's input needs
none). `child` times those 8 products alone, with the very shapes and
transposes the engine uses, in NumPy (OpenBLAS) and in PyTorch (torch.mm,
MKL/oneDNN), each in its own process, at 1 thread and (NumPy) at 2 BLAS
threads. Beside the whole step's time (the throughput table) it shows how
much of each side's step is GEMM, what ratio the GEMMs alone would allow if
the rest cost nothing, and what 2 BLAS threads give the GEMMs (the only part
of a dense-only model's step that uses the second core).

The CNN's products are the convolutions' (im2col columns times kernels,
forward, weight and column gradients): `conv_child` times them inside the
engine's own training step (fast/conv.py's matmul calls, timed as they run),
so the share is of that very step. PyTorch convolves directly (oneDNN), with
no such products to time; its whole step is the comparison.
"""

from __future__ import annotations

import statistics
import time
from contextlib import nullcontext

# (rows of x, layer sizes): the MLP of benchmarks.workloads.MODELS["mlp"]
BATCH, SIZES = 128, (784, 256, 128, 10)


def child(side: str, threads: int = 1) -> dict:
    """Median microseconds of the step's 8 products over 25 rounds of 40."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((BATCH, n), dtype=np.float32) for n in SIZES]
    ws = [rng.standard_normal((a, b), dtype=np.float32) * 0.05 for a, b in zip(SIZES, SIZES[1:])]
    if side == "torch":
        import torch

        torch.set_grad_enabled(False)
        xs, ws = [torch.from_numpy(a) for a in xs], [torch.from_numpy(w) for w in ws]
        mm = torch.mm
    else:
        mm = np.matmul

    def step() -> None:
        for x, w in zip(xs, ws):            # forward: h = x @ W
            mm(x, w)
        for k, (x, w) in enumerate(zip(xs, ws)):
            g = xs[k + 1]                   # a (batch, out) gradient
            mm(x.T, g)                      # weight gradient: x.T @ g
            if k:
                mm(g, w.T)                  # input gradient: g @ W.T (not for the first layer)

    # The engine's processes start with 1 BLAS thread (benchmarks.engine.spawn);
    # more is what the Trainer gives a dense-only model (threadpoolctl).
    with threadpool_limits(threads, user_api="blas") if side == "engine" else nullcontext():
        for _ in range(50):
            step()
        rounds = []
        for _ in range(25):
            t = time.perf_counter()
            for _ in range(40):
                step()
            rounds.append((time.perf_counter() - t) / 40)
    return {"us": statistics.median(rounds) * 1e6}


def conv_child(steps: int = 40, rounds: int = 7) -> dict:
    """The engine's CNN training step at 1 thread, and the part of it spent in
    the convolutions' matrix products, microseconds per step (medians of `rounds`)."""
    import numpy as np

    from benchmarks.workloads import MODELS, engine_runner, synthetic_mnist
    from playground.engine.fast import conv

    spent = [0.0]

    class TimedNumpy:
        """numpy, except that matmul adds its wall time to `spent`."""

        def __getattr__(self, name):
            return getattr(np, name)

        @staticmethod
        def matmul(*args, **kwargs):
            t = time.perf_counter()
            out = np.matmul(*args, **kwargs)
            spent[0] += time.perf_counter() - t
            return out

    conv.np = TimedNumpy()
    try:
        _, run = engine_runner("cnn", synthetic_mnist(steps * MODELS["cnn"]["batch"] * 2), epochs=100)
        run(20)
        whole, products = [], []
        for _ in range(rounds):
            spent[0] = 0.0
            t = time.perf_counter()
            run(steps)
            whole.append((time.perf_counter() - t) / steps)
            products.append(spent[0] / steps)
    finally:
        conv.np = np
    return {"step_us": statistics.median(whole) * 1e6, "products_us": statistics.median(products) * 1e6}

