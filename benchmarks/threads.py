"""Why the batch split over threads gains little for the MLP: what two Python
threads get from NumPy on this machine, by kind of work.

    python -m benchmarks.threads

Each row times one piece of work done n times in one thread, then the same
work done n times in each of two threads at once, and prints the aggregate
speed-up (2 * one thread's time / both threads' time; 2.0 = the second core
fully used). One BLAS thread per Python thread, as in the engine's split.

- large GEMMs (512 x 512): the GIL is released for the whole product;
- the MLP's 8 products for a 64-row shard (what each thread of a split
  128-row batch computes);
- small elementwise ops on a (64, 256) array, like the bias adds and ReLUs of
  that shard: NumPy holds the GIL for most of such a short call, so two
  threads mostly take turns.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import statistics  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

RNG = np.random.default_rng(0)
W = [RNG.standard_normal(s, dtype=np.float32) * 0.05 for s in [(784, 256), (256, 128), (128, 10)]]


def big_gemm(a: np.ndarray) -> None:
    a @ a


def mlp_products(x: np.ndarray) -> None:
    h1 = x @ W[0]
    h2 = h1 @ W[1]
    out = h2 @ W[2]
    h2.T @ out
    d2 = out @ W[2].T
    h1.T @ d2
    d1 = d2 @ W[1].T
    x.T @ d1


def small_elementwise(x: np.ndarray) -> None:
    for _ in range(20):
        np.maximum(x, 0)


def speedup(work: Callable[[np.ndarray], None], x: np.ndarray, n: int) -> float:
    def loop(out: list[float]) -> None:
        t = time.perf_counter()
        for _ in range(n):
            work(x)
        out.append(time.perf_counter() - t)

    one: list[float] = []
    loop(one)
    both: list[float] = []
    threads = [threading.Thread(target=loop, args=(both,)) for _ in range(2)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return 2 * one[0] / (time.perf_counter() - t)


def main() -> None:
    rows = [("GEMM 512 x 512 x 512", big_gemm, RNG.standard_normal((512, 512), dtype=np.float32), 200),
            ("the MLP's 8 products, 64-row shard", mlp_products,
             RNG.standard_normal((64, 784), dtype=np.float32), 300),
            ("20 np.maximum on (64, 256)", small_elementwise,
             RNG.standard_normal((64, 256), dtype=np.float32), 300)]
    one, five, _ = os.getloadavg()
    print(f"numpy {np.__version__}; load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs\n")
    print("| work | aggregate speed-up of 2 threads, median of 5 (range) |")
    print("|---|---|")
    for name, work, x, n in rows:
        ups = [speedup(work, x, n) for _ in range(5)]
        print(f"| {name} | {statistics.median(ups):.2f}x ({min(ups):.2f}-{max(ups):.2f}x) |")


if __name__ == "__main__":
    main()
