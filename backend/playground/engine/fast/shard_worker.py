"""A worker process of processes.ProcessSplit: forward and backward of its shard.

    python -m playground.engine.fast.shard_worker    (started by ProcessSplit)

Reads one JSON line (the shared file's path, the spec, the layout, its index
k, its dropout seed), maps the file, builds the model from the spec and points
its parameters at the shared weights, then answers one byte per step: for
each GO it trains on ``x{k}[:rows]`` with weight ``ctl[1]``, writes its
gradients, outputs and loss, and answers DONE (or FAILED and the error on
one line, its traceback on stderr). It exits when its stdin closes.
"""

from __future__ import annotations

import json
import math
import sys
import traceback
from collections.abc import Callable
from typing import BinaryIO

import numpy as np

from playground.engine import losses
from playground.engine.fast.allocator import keep_freed_memory
from playground.engine.fast.processes import DONE, FAILED, GO, SharedLayout, WorkerArrays
from playground.engine.model import Model, build_model
from playground.engine.tensor import Tensor


def main() -> int:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    keep_freed_memory()     # as the Trainer does: the shard's arrays reuse the last step's memory
    try:
        header = json.loads(stdin.readline())
        layout = SharedLayout([(name, tuple(shape), dtype) for name, shape, dtype in header["regions"]])
        v = layout.views(np.memmap(header["path"], dtype=np.uint8, mode="r+", shape=(layout.size,)))
        model = build_model(header["spec"], seed=header["seed"], dtype=header["dtype"])
        params = model.parameters()
        for i, p in enumerate(params):
            p.data = v[f"w{i}"]
        loss_fn = losses.LOSSES[header["loss"]]
        mine = WorkerArrays.of(v, header["k"], len(params))
    except Exception as exc:
        fail(stdout, exc)
        return 1
    stdout.write(DONE)
    stdout.flush()
    while stdin.read(1) == GO:
        try:
            if int(mine.ctl[0]):
                step(model, loss_fn, params, mine)
        except Exception as exc:
            fail(stdout, exc)
            continue
        stdout.write(DONE)
        stdout.flush()
    return 0


def fail(stdout: BinaryIO, exc: Exception) -> None:
    """FAILED and the error on one line for the main process; the traceback to stderr."""
    traceback.print_exc()
    line = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    stdout.write(FAILED + line.encode() + b"\n")
    stdout.flush()


def step(model: Model, loss_fn: Callable[[Tensor, np.ndarray], Tensor], params: list[Tensor],
         mine: WorkerArrays) -> None:
    rows = int(mine.ctl[0])
    y = model(mine.x[:rows], training=True)
    loss = loss_fn(y, mine.t[:rows])
    value = loss.item()
    mine.ctl[2] = value
    mine.out[:rows] = y.data
    if not math.isfinite(value):
        return      # the main process sees the loss and updates nothing
    loss.backward(np.asarray(mine.ctl[1], dtype=loss.dtype))
    for p, g in zip(params, mine.grads):
        if p.grad is None:
            g.fill(0)
        else:
            np.copyto(g, p.grad)
        p.grad = None


if __name__ == "__main__":
    sys.exit(main())
