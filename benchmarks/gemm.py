"""How much of the MLP's training step is matrix products, per framework.

The MLP's step (batch 128, 784-256-128-10) is 8 matrix products: 3 forward,
3 weight gradients and 2 input gradients (the first layer's input needs
none). This times those 8 products alone, with the very shapes and
transposes the engine uses, in NumPy (OpenBLAS) and in PyTorch (torch.mm,
MKL/oneDNN), each in its own process at 1 thread like every engine figure.
Beside the whole step's time (the throughput table) it shows how much of
each side's step is GEMM and how much is everything else, and what ratio
the GEMMs alone would allow if the rest cost nothing.
"""

from __future__ import annotations

import statistics
import time

# (rows of x, layer sizes): the MLP of benchmarks.workloads.MODELS["mlp"]
BATCH, SIZES = 128, (784, 256, 128, 10)


def child(side: str) -> dict:
    """Median microseconds of the step's 8 products over 25 rounds of 40."""
    import numpy as np

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

    for _ in range(50):
        step()
    rounds = []
    for _ in range(25):
        t = time.perf_counter()
        for _ in range(40):
            step()
        rounds.append((time.perf_counter() - t) / 40)
    return {"us": statistics.median(rounds) * 1e6}
