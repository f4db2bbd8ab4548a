"""WorkerHandle: one worker process seen from the manager.

Spawns worker.main with the "spawn" context (the server has threads, which
fork would copy in a random state), and runs one small thread that reads the
worker's pipe and hands each message to the event loop with
``call_soon_threadsafe``. When the pipe reaches EOF the thread reaps the
process and reports its exit code, so a worker killed by a signal, a segfault
or the OOM killer is noticed at once and the server goes on.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager

from playground.runs import worker
from playground.runs.events import decode, encode

_SPAWN = multiprocessing.get_context("spawn")
_ENV_LOCK = threading.Lock()
BLAS_ENV_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


class WorkerHandle:
    def __init__(self, run_id: str, loop: asyncio.AbstractEventLoop,
                 on_message: Callable[[str, dict], None], on_exit: Callable[[str, int | None], None]):
        self.run_id = run_id
        self._loop = loop
        self._on_message = on_message
        self._on_exit = on_exit
        self.process = None
        self._conn = None
        self.exitcode: int | None = None
        self.reason: str | None = None  # the exit code says it all for a local process
        self.killed = False

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def start(self, job: dict, blas_env: int | None = None) -> None:
        """Start the worker. ``blas_env``: also export the BLAS thread count to
        the child's environment (read by OpenBLAS/OpenMP when numpy loads).
        A kill() that came first (the run was deleted while this waited for a
        thread) means no worker; one that comes during the spawn kills it
        right after: either way on_exit is reported, so a waiter never hangs."""
        if self.killed:
            self._post(self._on_exit, self.run_id, None)
            return
        parent, child = _SPAWN.Pipe(duplex=True)
        self.process = _SPAWN.Process(target=worker.main, args=(json.dumps(job), child),
                                      name=f"run-{self.run_id}", daemon=True)
        with _child_env({k: str(blas_env) for k in BLAS_ENV_VARS} if blas_env else {}):
            self.process.start()
        child.close()  # so EOF on our end means the worker is gone
        self._conn = parent
        if self.killed:  # kill() ran while the process was being spawned: it saw nothing to kill
            self.process.kill()
        threading.Thread(target=self._read, name=f"read-{self.run_id}", daemon=True).start()

    def send(self, msg: dict) -> bool:
        """Send a control message; False if the worker is already gone."""
        if self._conn is None or self.exitcode is not None:
            return False
        try:
            self._conn.send_bytes(encode(msg))
            return True
        except (OSError, ValueError):
            return False

    def kill(self) -> None:
        # The flag first, then the process: start() on its thread sets the
        # process first, then reads the flag, so one of the two always kills.
        self.killed = True
        if self.process is not None and self.process.is_alive():
            self.process.kill()

    def _read(self) -> None:
        conn = self._conn
        while True:
            try:
                msg = decode(conn.recv_bytes())
            except (EOFError, OSError):
                break
            except ValueError:
                continue  # not JSON: cannot come from our worker; ignore it
            self._post(self._on_message, self.run_id, msg)
        self.process.join()
        self.exitcode = self.process.exitcode
        conn.close()
        self._post(self._on_exit, self.run_id, self.exitcode)

    def _post(self, fn, *args) -> None:
        try:
            self._loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:
            pass  # the loop is closed: the manager is gone, nobody to tell


def exit_reason(code: int | None) -> str:
    """Words for a worker's exit code: "killed by signal SIGKILL (9)" etc."""
    if code is None:
        return "worker vanished"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " (out of memory?)" if -code == signal.SIGKILL else ""
        return f"worker process killed by {name} ({-code}){hint}"
    return f"worker process exited with code {code}"


@contextmanager
def _child_env(values: dict[str, str]):
    """Set environment variables for a child about to be spawned, then restore.
    Serialised: the parent's os.environ is shared by its threads."""
    if not values:
        yield
        return
    with _ENV_LOCK:
        saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
