"""The Ray executor (PLAYGROUND_EXECUTOR=ray): each run is a RunActor
(ray_actor.py) with one CPU on a Ray cluster.

- Connects to ``PLAYGROUND_RAY_ADDRESS`` (``auto``, ``host:port`` or
  ``ray://host:10001``); without one, starts a Ray instance on this machine.
- Capacity is the cluster's CPUs, read again every few seconds, so lab
  machines that join with ``ray start --address ...`` add workers at once.
- A handle's thread drains the actor's events in batches a few times a
  second and hands them to the event loop, as the local executor's pipe
  reader does; controls are actor calls the worker applies at its next step.
- Checkpoints come back through the object store as bytes and are installed
  in the server's home (checkpoints.install_files) before their message is
  passed on, so predict and resume find them; an uploaded dataset or initial
  weights go to the object store once per file, not once per run.
- A lost actor or node ends the run "failed" with the reason; its last
  checkpoint is on the server, so it can be resumed.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

from playground.runs import checkpoints
from playground.runs.events import decode, encode

POLL_S = 0.1  # an idle drain is repeated after this long: ~10 round trips a second per run
CAPACITY_TTL_S = 5.0


class RayExecutor:
    name = "ray"

    def __init__(self, address: str | None = None):
        import ray

        from playground.runs.ray_actor import RunActor

        self._ray = ray
        self._started_here = not ray.is_initialized()
        if self._started_here:
            ray.init(address=address or None, include_dashboard=False, log_to_driver=False,
                     namespace="playground", configure_logging=False)
        self.actor_class = ray.remote(num_cpus=1, max_concurrency=4, max_restarts=0)(RunActor)
        self._refs: dict[tuple, object] = {}
        self._lock = threading.Lock()
        self._cpus = (0.0, 0)  # (read at, CPUs)

    def capacity(self, configured: int) -> int:
        at, cpus = self._cpus
        if time.monotonic() - at > CAPACITY_TTL_S:
            cpus = int(self._ray.cluster_resources().get("CPU", 0))
            self._cpus = (time.monotonic(), cpus)
        return cpus or configured

    def put_file(self, path: str):
        """An object-store reference to a file's bytes, made once per file version."""
        st = os.stat(path)
        key = (path, st.st_mtime_ns, st.st_size)
        with self._lock:
            ref = self._refs.get(key)
            if ref is None:
                ref = self._refs[key] = self._ray.put(Path(path).read_bytes())
            return ref

    def handle(self, run_id, loop, on_message, on_exit):
        return RayHandle(self, run_id, loop, on_message, on_exit)

    def close(self) -> None:
        if self._started_here and self._ray.is_initialized():
            self._ray.shutdown()


class RayHandle:
    def __init__(self, executor: RayExecutor, run_id, loop, on_message, on_exit):
        self.executor = executor
        self.run_id = run_id
        self._loop = loop
        self._on_message = on_message
        self._on_exit = on_exit
        self.actor = None
        self.pid: int | None = None
        self.reason: str | None = None
        self.exitcode: int | None = None
        self._home: Path | None = None

    def start(self, job: dict, blas_env: int | None = None) -> None:
        ex = self.executor
        self._home = Path(job["home"])
        resume = checkpoints.read_files(self._home, self.run_id, "latest") if job.get("resume") else None
        weights = ex.put_file(job["initial_weights_path"]) if job.get("initial_weights_path") else None
        path = (job.get("dataset_params") or {}).get("path")
        dataset = ex.put_file(path) if path else None
        self.actor = ex.actor_class.remote(json.dumps(job), resume, weights, dataset)
        threading.Thread(target=self._poll, name=f"ray-{self.run_id}", daemon=True).start()

    def send(self, msg: dict) -> bool:
        if self.actor is None or self.exitcode is not None or self.reason is not None:
            return False
        self.actor.control.remote(encode(msg))
        return True

    def kill(self) -> None:
        if self.actor is not None:
            self.executor._ray.kill(self.actor, no_restart=True)

    def _poll(self) -> None:
        ray = self.executor._ray
        from ray.exceptions import GetTimeoutError, RayActorError, RayError

        while True:
            try:
                batch, code = ray.get(self.actor.drain.remote(), timeout=60)
            except GetTimeoutError:
                continue  # still waiting for a CPU on the cluster: the run stays as it is
            except RayActorError as exc:
                self.reason = f"the Ray actor running this run was lost ({_first_line(exc)})"
                break
            except RayError as exc:
                self.reason = f"the Ray cluster failed this run ({_first_line(exc)})"
                break
            for data in batch:
                try:
                    msg = decode(data)
                except ValueError:
                    continue
                if msg.get("type") == "started":
                    self.pid = msg.get("pid")
                if msg.get("type") == "checkpoint" and not self._fetch(msg.get("kind")):
                    continue
                self._post(self._on_message, self.run_id, msg)
            if code is not None:
                self.exitcode = code
                try:
                    ray.get(self.actor.cleanup.remote(), timeout=30)
                except RayError:
                    pass
                ray.kill(self.actor, no_restart=True)
                break
            if not batch:
                time.sleep(POLL_S)
        self._post(self._on_exit, self.run_id, self.exitcode)

    def _fetch(self, kind: str | None) -> bool:
        """Copy a checkpoint from the actor into the server's home."""
        from ray.exceptions import RayError

        try:
            files = self.executor._ray.get(self.actor.checkpoint.remote(kind), timeout=60)
        except RayError:
            return False
        if not files:
            return False
        checkpoints.install_files(self._home, self.run_id, kind, files)
        return True

    def _post(self, fn, *args) -> None:
        try:
            self._loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:
            pass  # the loop is closed: nobody to tell


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]
