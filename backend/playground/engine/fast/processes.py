"""One training step's batch split over processes, weights in shared memory.

Threads would share the weights for free but not the interpreter: a shard's
step is many short NumPy calls, and two threads making them wait on each
other for the GIL (benchmarks/threads.py: 0.65x of one thread for such calls
on (64, 256) arrays). Processes have no GIL between them. So
shard k > 0 of each batch goes to a worker process (shard_worker.py) that
holds a twin of the model whose weights are the very same memory:

- one file-backed shared mapping holds every parameter, each worker's
  gradients, inputs, targets and outputs, and a small control row per worker;
- the model's own parameter Tensors are pointed at the shared weights (their
  ``.data`` is rebound; a parameter rebound elsewhere is copied back in);
- per step the main process writes each worker's rows and one byte down its
  pipe, runs shard 0 itself, waits for one byte back from each, sums the
  workers' gradients into its own and, given an optimizer, steps it: the
  update lands in the shared weights the workers read next step.

Each shard's loss is weighted by its share of the batch, so the step is the
whole batch's: loss = sum_k (n_k / N) loss_k and grad = sum_k (n_k / N) grad_k
(loss_k the mean over shard k's n_k rows). Dropout: each worker draws its
masks from its own generator, seeded once from the model's, so a run with a
given seed and process count is reproducible; a checkpoint holds only the
model's generator, so a resumed run with dropout draws other masks than an
uninterrupted one would. Nothing is unpickled: the worker gets the
spec as JSON and the layout as numbers; data moves as raw arrays.

A worker exits when its pipe closes: at ``close()``, when this object is
collected, or when the main process dies.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from playground.engine import losses
from playground.engine.layers import POOL_TYPES, WEIGHTED_TYPES

if TYPE_CHECKING:  # for annotations only: model.py imports this package
    from playground.engine.model import Model
    from playground.engine.optim import Optimizer

ALIGN = 64      # bytes: each region starts on its own cache line
GO, DONE, FAILED = b"S", b"D", b"E"
EXITED = "exited"


# Where a second core goes. A dense-only model's step is mostly GEMMs, which
# BLAS splits over its own threads with nothing serial added; a batch split
# would add a gradient sum and an update over all its weights in the main
# process, and half a 128-row batch costs 55-65% of a whole one. Measured
# here for the MLP 784-256-128-10 (batch 128): 2 BLAS threads 1.07-1.46x
# (median 1.24x) of one, the batch split about 1.0x. A model with
# convolutions or pooling spends about half its step outside BLAS (im2col,
# col2im, pooling), which only a batch split runs in parallel: for the
# LeNet-like CNN the split gave 1.25-1.61x, 2 BLAS threads 0.97-1.22x.
_IMAGE_WORK = frozenset(WEIGHTED_TYPES) | frozenset(POOL_TYPES)


def splits_well(model: Model) -> bool:
    """True when `threads > 1` should split batches over processes (the model
    has a weighted or pooling layer working on images: a convolution or a
    pooling); otherwise the threads go to BLAS in one process."""
    return any(info.type in _IMAGE_WORK and len(info.input_shape) == 3 for info in model.report.layers)


class SharedLayout:
    """Named arrays carved out of one shared file: (name, shape, dtype) in order.
    Both sides build the same layout from the same list, so only the list
    (as JSON) and the file's path cross to the worker."""

    def __init__(self, regions: list[tuple[str, tuple[int, ...], str]]) -> None:
        self.regions = regions
        self.offsets, size = {}, 0
        for name, shape, dtype in regions:
            self.offsets[name] = size
            nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
            size += -(-nbytes // ALIGN) * ALIGN
        self.size = max(size, ALIGN)

    def views(self, buffer: np.ndarray) -> dict[str, np.ndarray]:
        return {name: np.ndarray(shape, dtype, buffer=buffer, offset=self.offsets[name])
                for name, shape, dtype in self.regions}


def shard_layout(params: list[tuple[int, ...]], dtype: str, workers: int, rows: int,
                 x: tuple[tuple[int, ...], str], t: tuple[tuple[int, ...], str],
                 out: tuple[int, ...]) -> SharedLayout:
    """Weights once; per worker k (1..workers): its gradients, rows of inputs,
    targets and outputs, and control [rows, weight, loss]."""
    params = [tuple(int(d) for d in shape) for shape in params]
    regions = [(f"w{i}", shape, dtype) for i, shape in enumerate(params)]
    for k in range(1, workers + 1):
        regions += [(f"g{k}.{i}", shape, dtype) for i, shape in enumerate(params)]
        regions += [(f"x{k}", (rows, *x[0]), x[1]), (f"t{k}", (rows, *t[0]), t[1]),
                    (f"out{k}", (rows, *out), dtype), (f"ctl{k}", (3,), "float64")]
    return SharedLayout(regions)


class WorkerArrays(NamedTuple):
    """Worker k's part of the shared layout, as both sides use it every step."""
    x: np.ndarray
    t: np.ndarray
    out: np.ndarray
    ctl: np.ndarray            # [rows this step, their share of the batch, loss]
    grads: list[np.ndarray]    # one per parameter

    @classmethod
    def of(cls, views: dict[str, np.ndarray], k: int, params: int) -> WorkerArrays:
        return cls(views[f"x{k}"], views[f"t{k}"], views[f"out{k}"], views[f"ctl{k}"],
                   [views[f"g{k}.{i}"] for i in range(params)])


def _shared_dir() -> str | None:
    # /dev/shm is memory, not disk: the file never touches a device.
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def _stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.stdin:
            try:
                p.stdin.close()
            except OSError:
                pass
    for p in procs:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        if p.stdout:
            p.stdout.close()


class ProcessSplit:
    """``step(xb, tb, optimizer=None) -> (loss, outputs)`` with shards 1.. in
    `processes - 1` worker processes. Without an optimizer the gradients are
    left summed in ``model.parameters()``; with one, it also steps (not when
    the loss is not finite).

    The workers start on the first call (their layout needs the batch's
    shapes) and again if a batch has more rows than the shared buffers.
    """

    def __init__(self, model: Model, loss_name: str, processes: int) -> None:
        if processes < 2:
            raise ValueError(f"ProcessSplit needs at least 2 processes, got {processes}")
        # the worker looks the loss up by the same name
        self.model, self.loss_name, self.processes = model, loss_name, processes
        self.loss_fn = losses.LOSSES[loss_name]
        self._params = model.parameters()
        self._seeds = [int(s) for s in model.rng.integers(2**63, size=processes - 1)]
        self._procs: list[subprocess.Popen] = []
        self._weights: list[np.ndarray] = []          # shared, one per parameter
        self._workers: list[WorkerArrays] = []        # worker k's arrays at index k - 1
        self._rows = 0
        self._finalizer: weakref.finalize | None = None

    # -- workers ------------------------------------------------------------------
    def _start(self, rows: int, xb: np.ndarray, tb: np.ndarray) -> None:
        self.close()
        dtype = np.dtype(self.model.dtype).name
        out = tuple(self.model.report.output_shape)
        layout = shard_layout([p.data.shape for p in self._params], dtype, self.processes - 1, rows,
                              (xb.shape[1:], xb.dtype.name), (tb.shape[1:], tb.dtype.name), out)
        fd, path = tempfile.mkstemp(prefix="playground-shards-", dir=_shared_dir())
        try:
            os.ftruncate(fd, layout.size)
            buffer = np.memmap(path, dtype=np.uint8, mode="r+", shape=(layout.size,))
        finally:
            os.close(fd)
        views = layout.views(buffer)
        self._weights = [views[f"w{i}"] for i in range(len(self._params))]
        self._workers = [WorkerArrays.of(views, k, len(self._params)) for k in range(1, self.processes)]
        self._bind()
        header = {"path": path, "spec": self.model.spec, "dtype": dtype, "loss": self.loss_name,
                  "regions": layout.regions}
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[3]),
                                              os.environ.get("PYTHONPATH", "")])}
        self._finalizer = weakref.finalize(self, _stop, self._procs)
        try:
            for k in range(1, self.processes):
                proc = subprocess.Popen([sys.executable, "-m", "playground.engine.fast.shard_worker"],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
                self._procs.append(proc)
                assert proc.stdin is not None
                proc.stdin.write(json.dumps({**header, "k": k, "seed": self._seeds[k - 1]}).encode() + b"\n")
                proc.stdin.flush()
            failed = [(k, why) for k in range(1, self.processes) if (why := self._reply(k))]
            if failed:
                self.close()
                raise RuntimeError(f"shard worker {failed[0][0]} did not start: {failed[0][1]}")
        finally:
            # Every worker has mapped the file (or failed): the name can go, the memory stays
            # while mapped, and nothing is left in /dev/shm if a process is killed later.
            os.unlink(path)
        self._rows = rows

    def _bind(self) -> None:
        """Point the model's parameters at the shared weights (copying their values in)."""
        for p, shared in zip(self._params, self._weights):
            if p.data is not shared:
                np.copyto(shared, p.data)
                p.data = shared

    def _reply(self, k: int) -> str | None:
        """Read worker k's answer: None when done, else what went wrong."""
        proc = self._procs[k - 1]
        assert proc.stdout is not None
        answer = proc.stdout.read(1)
        if answer == DONE:
            return None
        if answer == FAILED:
            return proc.stdout.readline().decode(errors="replace").strip()
        return f"{EXITED} (exit code {proc.wait()})"

    def close(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        self._procs, self._finalizer, self._rows = [], None, 0

    # -- one step -----------------------------------------------------------------
    def __call__(self, xb: np.ndarray, tb: np.ndarray, optimizer: Optimizer | None = None) -> tuple[float, np.ndarray]:
        n = len(xb)
        bounds = np.linspace(0, n, min(self.processes, n) + 1).astype(int)
        shards = [(int(lo), int(hi)) for lo, hi in zip(bounds[:-1], bounds[1:])]
        rows = max(hi - lo for lo, hi in shards)
        if rows > self._rows or not self._procs:
            self._start(rows, xb, tb)
        self._bind()    # a parameter replaced since (a loaded checkpoint) goes back into shared memory
        sent, sending = 0, True
        # Every worker told to go answers before this returns or raises, so the pipes stay in step.
        try:
            for k, w in enumerate(self._workers, start=1):
                if k < len(shards):
                    lo, hi = shards[k]
                    w.x[:hi - lo] = xb[lo:hi]
                    w.t[:hi - lo] = tb[lo:hi]
                    w.ctl[0], w.ctl[1] = hi - lo, (hi - lo) / n
                else:
                    w.ctl[0] = 0     # fewer rows than processes: this one sits the step out
                proc = self._procs[k - 1]
                assert proc.stdin is not None
                try:
                    proc.stdin.write(GO)
                    proc.stdin.flush()
                except OSError:
                    raise RuntimeError(f"shard worker {k}: {EXITED} (exit code {proc.wait()})") from None
                sent = k
            sending = False
            lo, hi = shards[0]
            out = self.model(xb[lo:hi], training=True)
            loss = self.loss_fn(out, tb[lo:hi])
            total = loss.item() * (hi - lo) / n
            if math.isfinite(total):
                loss.backward(np.asarray((hi - lo) / n, dtype=loss.dtype))
        finally:
            failed = [(k, why) for k in range(1, sent + 1) if (why := self._reply(k))]
            if sending or any(why.startswith(EXITED) for _, why in failed):
                self.close()    # a worker is gone (its pipe broke): start afresh next step
        if failed:
            raise RuntimeError(f"shard worker {failed[0][0]}: {failed[0][1]}")
        used = self._workers[:len(shards) - 1]
        outputs = [out.data]
        for w in used:
            total += float(w.ctl[2]) * float(w.ctl[1])
            outputs.append(w.out[:int(w.ctl[0])].copy())
        if math.isfinite(total):
            for i, p in enumerate(self._params):
                for w in used:
                    if p.grad is None:
                        p.grad = w.grads[i].copy()
                    else:
                        p.grad += w.grads[i]
            if optimizer is not None:
                optimizer.step()
        return total, np.concatenate(outputs)
