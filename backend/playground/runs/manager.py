"""RunManager: the runs of one server, made of parts named for what they do:

- ``queue``     RunQueue (run_queue.py): who waits, who holds a worker, the shares;
- ``records``   RunRecords (run_records.py): the runs' records, memory ahead of the store;
- ``executor``  where runs execute (executor.py: local worker processes or Ray actors);
- ``lifecycle`` Lifecycle (lifecycle.py): starting runs, folding worker messages in, ending them;
- ``controls``  RunControls (controls.py): pause, resume, stop, step, optimizer and speed changes;
- ``flusher``   StoreFlusher (flusher.py): the store's staged rows written a few times a second;
- ``models``    ModelLibrary (models.py): models of runs, imports, a new run's initial weights.

The manager wires them, owns start/shutdown, and answers the API (protocol.py):
create, read, delete, metrics, streams and models.

The interface and the record/event shapes are documented in protocol.py. All
state lives on the event loop thread: worker messages arrive through
``call_soon_threadsafe`` (supervisor.py), so no locks are needed here; SQLite
and files are touched through ``asyncio.to_thread`` or staged in the store.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import time
from pathlib import Path

from playground.runs import checkpoints
from playground.runs import config as run_config
from playground.runs.controls import RunControls
from playground.runs.errors import ConfigError, RunStateError
from playground.runs.events import stamp
from playground.runs.flusher import StoreFlusher
from playground.runs.lifecycle import Lifecycle
from playground.runs.models import ModelLibrary
from playground.runs.owner import LOCAL, Owner
from playground.runs.protocol import ACTIVE, TERMINAL, ManagerSettings
from playground.runs.records import Active, downsample, new_record
from playground.runs.run_queue import RunQueue
from playground.runs.run_records import RunRecords
from playground.runs.store import RunStore, sqlite_path
from playground.runs.stream import Hub, subscription
from playground.runs.traces import LossTraces

SHUTDOWN_GRACE_S = 5.0
DELETE_ATTEMPTS = 6


class RunManager:
    def __init__(self, settings: ManagerSettings):
        self.home = Path(settings.home)
        self.database_url = settings.database_url or f"sqlite:///{self.home / 'playground.db'}"
        self._max_runs = settings.max_runs
        self.max_queue = settings.max_queue
        # Per-session shares (classroom mode); owners with limited=False are exempt.
        self.max_running_per_user = settings.max_runs_per_user
        self.max_queued_per_user = settings.max_queued_per_user
        self.runs_kept = settings.runs_kept
        # An imported model's spec is held to the same limits as a new run's.
        self.max_params = settings.max_params
        self.max_layers = settings.max_layers
        self.max_input_size = settings.max_input_size
        self.max_activation_size = settings.max_activation_size
        data_dir = settings.data_dir
        # What every worker's job carries besides its run (worker.py reads these keys).
        job_defaults = {"home": str(self.home), "data_dir": str(data_dir) if data_dir else None,
                        "blas_threads": settings.blas_threads_per_run,
                        "step_interval": settings.step_event_interval_s,
                        "snapshot_interval": settings.snapshot_interval_s,
                        "snapshot_idle_interval": settings.snapshot_idle_interval_s,
                        "checkpoint_interval": settings.checkpoint_interval_s}
        self.executor_name = settings.executor
        self.ray_address = settings.ray_address
        self.executor = None
        self.models: ModelLibrary | None = None
        self.hub = Hub(on_watchers=lambda run_id, n: self.controls.on_watchers(run_id, n))
        self.traces = LossTraces()
        self.queue = RunQueue(lambda: self.max_runs, self.max_queue, self.max_running_per_user,
                              self.max_queued_per_user)
        self.records = RunRecords(self.home, self.queue, self.hub)
        self.lifecycle = Lifecycle(self.records, self.queue, self.hub, self.traces, job_defaults,
                                   blas_env=settings.blas_env, runs_kept=self.runs_kept,
                                   on_checkpoint=lambda run_id: self.models.forget(run_id),
                                   remove=self._remove)
        self.controls = RunControls(self.records, self.queue, self.lifecycle,
                                   lambda rec: self.models.initial_weights(rec))
        self.flusher = StoreFlusher(self.records, settings.store_failure_grace_s)

    # The API's controls (protocol.py) are the controls part's.
    def pause(self, run_id: str):
        return self.controls.pause(run_id)

    def resume(self, run_id: str):
        return self.controls.resume(run_id)

    def stop(self, run_id: str):
        return self.controls.stop(run_id)

    def step(self, run_id: str, n: int = 1):
        return self.controls.step(run_id, n)

    def update(self, run_id: str, settings: dict):
        return self.controls.update(run_id, settings)

    def set_speed(self, run_id: str, rate: float | None):
        return self.controls.set_speed(run_id, rate)

    def request_snapshot(self, run_id: str):
        return self.controls.request_snapshot(run_id)

    @property
    def store(self) -> RunStore | None:
        return self.records.store

    @property
    def max_runs(self) -> int:
        """Runs training at once: PLAYGROUND_MAX_RUNS locally, the cluster's CPUs on Ray."""
        if self.executor is None:
            return self._max_runs
        return max(1, self.executor.capacity(self._max_runs))

    # -- lifecycle -----------------------------------------------------------------

    async def start(self) -> None:
        self.lifecycle.loop = asyncio.get_running_loop()
        self.home.mkdir(parents=True, exist_ok=True)
        self.records.store = await asyncio.to_thread(RunStore, sqlite_path(self.database_url))
        self.models = ModelLibrary(self.home, self.store)
        from playground.runs.executor import make_executor

        # Connecting to a cluster takes seconds: off the event loop.
        self.executor = await asyncio.to_thread(make_executor, self.executor_name, self.ray_address)
        self.lifecycle.executor = self.executor
        for run_id in await asyncio.to_thread(self.store.ids_with_status, ACTIVE):
            rec = await asyncio.to_thread(self.store.get_run, run_id)
            await asyncio.to_thread(self.store.update_run, run_id, status="interrupted",
                                    message=f"the server stopped while this run was {rec['status']}",
                                    updated_at=time.time())
        self.flusher.start()

    async def shutdown(self) -> None:
        if self.store is None:
            return
        active = self.records.active
        for a in active.values():
            a.shutting_down = True
            if a.handle is not None:
                a.handle.send({"cmd": "shutdown"})
        for run_id in self.queue.waiting.order():
            self.queue.done(run_id)
            await self.lifecycle.finalize(run_id, "interrupted", "the server shut down before this run started")
        waiting = [a.done.wait() for a in active.values()]
        if waiting:
            done, pending = await asyncio.wait([asyncio.ensure_future(w) for w in waiting],
                                               timeout=SHUTDOWN_GRACE_S)
            if pending:
                for a in active.values():
                    if a.handle is not None:
                        a.handle.kill()
                await asyncio.wait(pending, timeout=SHUTDOWN_GRACE_S)
        if self.lifecycle.tasks:
            await asyncio.wait(list(self.lifecycle.tasks), timeout=SHUTDOWN_GRACE_S)
        await self.flusher.stop()
        self.hub.close_all()
        if self.executor is not None:
            await asyncio.to_thread(self.executor.close)
        store, self.records.store = self.store, None
        await asyncio.to_thread(store.close)

    # -- create, read ----------------------------------------------------------------

    async def create(self, config: dict, owner: Owner = LOCAL) -> dict:
        self.records.require_started()
        norm = await asyncio.to_thread(run_config.normalize, config)
        weights_path = await self.models.initial_weights(norm)
        run_id = "r_" + secrets.token_hex(5)
        rec = new_record(run_id, norm)
        rec.update(owner=owner.id, owner_name=owner.name)
        with self.queue.reserve(run_id, owner):
            await asyncio.to_thread(self.store.insert_run, rec)
            self.records.active[run_id] = Active(rec, initial_weights_path=weights_path)
            self.queue.enqueue(run_id, owner.id)
        await self.lifecycle.schedule()
        return self.records.public(run_id, rec)

    async def get(self, run_id: str) -> dict:
        return await self.records.get(run_id)

    async def list(self, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        return await self.records.list(status, limit, offset)

    def worker_pid(self, run_id: str) -> int | None:
        """The process id of a run's worker (None when it has none)."""
        a = self.records.active.get(run_id)
        return a.handle.pid if a is not None and a.handle is not None else None

    def counts(self) -> dict:
        return self.queue.counts()

    # -- delete, metrics, streams --------------------------------------------------------

    async def delete(self, run_id: str) -> None:
        a = self.records.active.get(run_id)
        if a is None:
            await self.get(run_id)
        else:
            a.deleting = True
            if self.queue.is_waiting(run_id):
                self.queue.done(run_id)
            if a.handle is not None:
                await self._kill_and_wait(a)
            self.records.active.pop(run_id, None)
            self.queue.done(run_id)
        await self._remove(run_id)
        await self.lifecycle.schedule()

    async def _kill_and_wait(self, a: Active) -> None:
        """Kill a run's worker and wait for its exit. The handle reports an exit
        even when the kill met a worker still being spawned (supervisor.py);
        on a machine too loaded to reap it in time the kill is repeated, and
        the run stays listed (deleting) rather than training unseen."""
        for _ in range(DELETE_ATTEMPTS):
            a.handle.kill()
            try:
                await asyncio.wait_for(a.done.wait(), SHUTDOWN_GRACE_S)
                return
            except asyncio.TimeoutError:
                continue
        raise RunStateError(f"run '{a.rec['id']}': its worker has not stopped yet; try the delete again")

    async def _remove(self, run_id: str) -> None:
        self.hub.close(run_id, forget=True)
        self.traces.forget(run_id)
        self.models.forget(run_id)
        await asyncio.to_thread(self.store.delete_run, run_id)
        await asyncio.to_thread(shutil.rmtree, checkpoints.run_dir(self.home, run_id), True)

    async def metrics(self, run_id: str, kind: str = "step", offset: int = 0, limit: int | None = None,
                      max_points: int | None = None, since_step: int | None = None) -> dict:
        if kind not in ("step", "epoch", "eval", "snapshot"):
            raise ConfigError("kind must be 'step', 'epoch', 'eval' or 'snapshot'", ("kind",))
        await self.get(run_id)
        points = await asyncio.to_thread(self.store.metrics, run_id, kind, since_step)
        total = len(points)
        points = points[offset:offset + limit if limit is not None else None]
        return {"run_id": run_id, "kind": kind, "total": total, "offset": offset,
                "points": downsample(points, max_points)}

    def subscribe(self, run_id: str):
        seen = {}

        async def first() -> dict:
            rec = await self.get(run_id)
            seen["status"] = rec["status"]
            return stamp({"type": "state", "run": rec})

        return subscription(self.hub, run_id, first,
                            lambda: seen.get("status") in TERMINAL)

    async def loss_trace(self, run_id: str) -> list[float]:
        """A short loss sparkline of the run (runs/traces.py)."""
        trace = self.traces.get(run_id)
        if trace is None:
            points = await asyncio.to_thread(self.store.metrics, run_id, "step")
            self.traces.put(run_id, [p.get("loss_mean", p.get("loss"))
                                     for p in downsample(points, self.traces.points)])
            trace = self.traces.get(run_id) or []
        return trace

    # -- models ----------------------------------------------------------------------

    async def get_model(self, run_id: str, which: str = "latest"):
        rec = await self.get(run_id)
        return await self.models.run_model(run_id, rec["spec"], which)

    async def export(self, run_id: str, which: str = "latest") -> bytes:
        rec = await self.get(run_id)
        steps = await asyncio.to_thread(self.store.metrics, run_id, "step")
        epochs = await asyncio.to_thread(self.store.metrics, run_id, "epoch")
        return await self.models.export(rec, {"step": steps, "epoch": epochs}, which)

    async def import_model(self, zip_bytes: bytes, name: str | None = None, owner: Owner = LOCAL) -> dict:
        self.records.require_started()
        return await self.models.import_zip(zip_bytes, name, max_params=self.max_params,
                                            max_layers=self.max_layers, max_input_size=self.max_input_size,
                                            max_activation_size=self.max_activation_size, owner=owner)

    async def get_model_record(self, model_id: str) -> dict:
        return await self.models.record(model_id)

    async def list_models(self) -> list[dict]:
        return await asyncio.to_thread(self.store.list_models)

    async def get_imported_model(self, model_id: str):
        return await self.models.imported_model(model_id)

    async def delete_model(self, model_id: str) -> None:
        await self.models.delete_model(model_id)
