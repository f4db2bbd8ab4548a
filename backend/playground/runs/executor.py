"""Where runs execute: the run manager starts each run through an executor and
gets a handle back (start it, send it controls, kill it); the handle reports
every worker message and the end of the run through two callbacks on the
server's event loop.

Two executors, chosen with ``PLAYGROUND_EXECUTOR``:

- ``local`` (default): a spawned worker process per run on the server's own
  cores (supervisor.py); capacity is ``PLAYGROUND_MAX_RUNS``.
- ``ray``: a Ray actor with one CPU per run on an existing cluster
  (``PLAYGROUND_RAY_ADDRESS``; ray_executor.py); capacity is the cluster's CPUs.

A handle::

    handle.start(job, blas_env)   # job: the worker's job dict (lifecycle.py)
    handle.send(msg) -> bool      # a control message; False when it is gone
    handle.kill()
    handle.pid                    # the worker's process id, where it has one
    handle.reason                 # why it ended, when the exit code cannot say
                                  # (an actor lost with its node); else None
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

OnMessage = Callable[[str, dict], None]
OnExit = Callable[[str, "int | None"], None]


class Handle(Protocol):
    pid: int | None
    reason: str | None

    def start(self, job: dict, blas_env: int | None = None) -> None: ...
    def send(self, msg: dict) -> bool: ...
    def kill(self) -> None: ...


class Executor(Protocol):
    name: str

    def capacity(self, configured: int) -> int:
        """How many runs may train at once."""

    def handle(self, run_id: str, loop: asyncio.AbstractEventLoop, on_message: OnMessage,
               on_exit: OnExit) -> Handle: ...

    def close(self) -> None: ...


class LocalExecutor:
    """Worker processes on this machine (supervisor.WorkerHandle)."""

    name = "local"

    def capacity(self, configured: int) -> int:
        return configured

    def handle(self, run_id, loop, on_message, on_exit):
        from playground.runs.supervisor import WorkerHandle

        return WorkerHandle(run_id, loop, on_message, on_exit)

    def close(self) -> None:
        pass


def make_executor(name: str = "local", ray_address: str | None = None) -> Executor:
    if name == "local":
        return LocalExecutor()
    if name == "ray":
        from playground.runs.ray_executor import RayExecutor

        return RayExecutor(ray_address)
    raise ValueError(f"unknown executor {name!r}: use 'local' or 'ray'")
