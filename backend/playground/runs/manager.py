"""RunManager: the runs of one server - queue, worker processes, controls, persistence.

The interface and the record/event shapes are documented in protocol.py. All
state lives on the event loop thread: worker messages arrive through
``call_soon_threadsafe`` (supervisor.py), so no locks are needed here; SQLite
and files are touched through ``asyncio.to_thread`` or staged in the store
and flushed by a background task a few times a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import shutil
import time
from collections import deque
from pathlib import Path

from playground.runs import checkpoints, config as run_config
from playground.runs.errors import ConfigError, QueueFull, RunNotFound, RunStateError
from playground.runs.events import clean, stamp
from playground.runs.models import ModelLibrary
from playground.runs.protocol import ACTIVE, TERMINAL
from playground.runs.records import Active, downsample, new_record, public, record_update
from playground.runs.store import RunStore, sqlite_path
from playground.runs.stream import Hub, subscription
from playground.runs.supervisor import WorkerHandle, exit_reason

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.5
SHUTDOWN_GRACE_S = 5.0
REPLY_TIMEOUT_S = 10.0


class RunManager:
    def __init__(self, settings):
        def opt(name, default):
            value = getattr(settings, name, None)
            return default if value is None else value

        self.home = Path(settings.home)
        self.database_url = opt("database_url", f"sqlite:///{self.home / 'playground.db'}")
        self.max_runs = max(1, int(opt("max_runs", os.cpu_count() or 1)))
        self.max_queue = max(0, int(opt("max_queue", 16)))
        self.runs_kept = int(opt("runs_kept", 200))
        self.data_dir = opt("data_dir", None)
        self.blas_threads = max(1, int(opt("blas_threads_per_run", 1)))
        self.blas_env = bool(opt("blas_env", False))
        self.snapshot_interval = float(opt("snapshot_interval_s", 0.5))
        self.step_interval = float(opt("step_event_interval_s", 0.05))
        self.checkpoint_interval = float(opt("checkpoint_interval_s", 2.0))
        self.store: RunStore | None = None
        self.models: ModelLibrary | None = None
        self.hub = Hub(on_watchers=self._on_watchers)
        self._active: dict[str, Active] = {}
        self._queue: deque[str] = deque()
        self._running: set[str] = set()
        self._replies: dict[str, asyncio.Future] = {}
        self._tasks: set[asyncio.Task] = set()
        self._flusher: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    # -- lifecycle -----------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.home.mkdir(parents=True, exist_ok=True)
        self.store = await asyncio.to_thread(RunStore, sqlite_path(self.database_url))
        self.models = ModelLibrary(self.home, self.store)
        for run_id in await asyncio.to_thread(self.store.ids_with_status, ACTIVE):
            rec = await asyncio.to_thread(self.store.get_run, run_id)
            await asyncio.to_thread(self.store.update_run, run_id, status="interrupted",
                                    message=f"the server stopped while this run was {rec['status']}",
                                    updated_at=time.time())
        self._flusher = asyncio.create_task(self._flush_loop())

    async def shutdown(self) -> None:
        if self.store is None:
            return
        for a in self._active.values():
            a.shutting_down = True
            if a.handle is not None:
                a.handle.send({"cmd": "shutdown"})
        for run_id in list(self._queue):
            await self._finalize(run_id, "interrupted", "the server shut down before this run started")
        self._queue.clear()
        waiting = [a.done.wait() for a in self._active.values()]
        if waiting:
            done, pending = await asyncio.wait([asyncio.ensure_future(w) for w in waiting],
                                               timeout=SHUTDOWN_GRACE_S)
            if pending:
                for a in self._active.values():
                    if a.handle is not None:
                        a.handle.kill()
                await asyncio.wait(pending, timeout=SHUTDOWN_GRACE_S)
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=SHUTDOWN_GRACE_S)
        if self._flusher:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        self.hub.close_all()
        store, self.store = self.store, None
        await asyncio.to_thread(store.close)

    async def _flush_loop(self) -> None:
        while self.store is not None:
            await asyncio.sleep(FLUSH_INTERVAL_S)
            store = self.store
            if store is None:
                return
            try:
                await asyncio.to_thread(store.flush)
            except Exception:  # a failed flush must not end the loop; the next one retries
                log.exception("flushing the run store failed")

    def _spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- create, read ----------------------------------------------------------------

    async def create(self, config: dict) -> dict:
        self._require_started()
        norm = await asyncio.to_thread(run_config.normalize, config)
        weights_path = await self._initial_weights(norm)
        self._check_capacity()
        run_id = "r_" + secrets.token_hex(5)
        rec = new_record(run_id, norm)
        await asyncio.to_thread(self.store.insert_run, rec)
        self._active[run_id] = Active(rec, initial_weights_path=weights_path)
        self._queue.append(run_id)
        await self._schedule()
        return self._public(run_id, rec)

    async def _initial_weights(self, norm: dict) -> str | None:
        iw = norm.get("initial_weights")
        if not iw:
            return None
        if "model_id" in iw:
            path = self.models.imported_weights_path(iw["model_id"])
            field = ("initial_weights", "model_id")
            if path is None:
                raise ConfigError(f"model '{iw['model_id']}' not found", field)
        else:
            field = ("initial_weights", "run_id")
            folder = self.models.weights_dir(iw["run_id"], "best")
            if folder is None:
                raise ConfigError(f"run '{iw['run_id']}' has no weights to start from", field)
            path = folder / "weights.npz"

        def check():
            from playground.engine.model import build_model, load_weights
            from playground.engine.weights_io import WeightsError

            try:
                load_weights(build_model(norm["spec"], seed=0), path)
            except WeightsError as exc:
                raise ConfigError(f"initial weights do not fit the spec: {exc}", field) from None
        await asyncio.to_thread(check)
        return str(path)

    def _check_capacity(self) -> None:
        if len(self._running) >= self.max_runs and len(self._queue) >= self.max_queue:
            raise QueueFull(f"all {self.max_runs} workers are busy and {len(self._queue)} runs "
                            f"are waiting (the limit); try again when a run finishes")

    async def get(self, run_id: str) -> dict:
        self._require_started()
        a = self._active.get(run_id)
        if a is not None:
            return self._public(run_id, a.rec)
        rec = await asyncio.to_thread(self.store.get_run, run_id)
        if rec is None:
            raise RunNotFound(run_id)
        return self._public(run_id, rec)

    async def list(self, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        self._require_started()
        if status in ACTIVE:
            # Every queued/running/paused run is in memory (start() marked the
            # store's leftovers interrupted), and memory is ahead of the store.
            live = sorted((a.rec for a in self._active.values() if a.rec["status"] == status),
                          key=lambda r: r["created_at"], reverse=True)
            return [self._public(r["id"], r) for r in live[offset:offset + limit]]
        rows = await asyncio.to_thread(self.store.list_runs, status, limit, offset)
        out = []
        for rec in rows:
            a = self._active.get(rec["id"])
            live = a.rec if a is not None else rec
            if status is None or live["status"] == status:
                out.append(self._public(rec["id"], live))
        return out

    def worker_pid(self, run_id: str) -> int | None:
        """The process id of a run's worker (None when it has none)."""
        a = self._active.get(run_id)
        return a.handle.pid if a is not None and a.handle is not None else None

    def counts(self) -> dict:
        return {"active": len(self._running), "queued": len(self._queue)}

    def _public(self, run_id: str, rec: dict) -> dict:
        pos = self._queue.index(run_id) + 1 if run_id in self._queue else None
        resumable = rec["status"] in ("interrupted", "failed") and self.models is not None \
            and checkpoints.checkpoint_dir(self.home, run_id, "latest") is not None
        return public(rec, pos, resumable)

    def _require_started(self) -> None:
        if self.store is None:
            raise RunStateError("the run manager is not running")

    # -- scheduling ------------------------------------------------------------------

    async def _schedule(self) -> None:
        while self._queue and len(self._running) < self.max_runs:
            run_id = self._queue.popleft()
            self._running.add(run_id)
            await self._launch(run_id)
        for i, run_id in enumerate(self._queue):
            self.hub.publish(run_id, stamp({"type": "status", "status": "queued",
                                            "message": f"waiting for a worker (position {i + 1})",
                                            "queue_position": i + 1}))

    async def _launch(self, run_id: str) -> None:
        a = self._active[run_id]
        rec = a.rec
        job = {"run_id": run_id, "home": str(self.home), "spec": rec["spec"],
               "dataset": rec["dataset"], "dataset_params": rec["dataset_params"],
               "config": rec["config"], "initial_weights_path": a.initial_weights_path,
               "resume": a.resume, "best_val_loss": rec.get("best_val_loss"),
               "data_dir": str(self.data_dir) if self.data_dir else None,
               "blas_threads": self.blas_threads, "step_interval": self.step_interval,
               "snapshot_interval": self.snapshot_interval,
               "checkpoint_interval": self.checkpoint_interval,
               "watched": self.hub.watchers(run_id) > 0}
        a.handle = WorkerHandle(run_id, self._loop, self._on_message, self._on_exit)
        now = time.time()
        self._set(run_id, status="running", message="", started_at=rec.get("started_at") or now)
        try:
            await asyncio.to_thread(a.handle.start, job, self.blas_threads if self.blas_env else None)
        except Exception as exc:  # could not even start a process (fork limits, ...)
            a.handle = None
            self._running.discard(run_id)
            await self._finalize(run_id, "failed", f"could not start a worker: {exc}")

    # -- messages from workers (event loop thread) --------------------------------------

    def _on_message(self, run_id: str, msg: dict) -> None:
        a = self._active.get(run_id)
        if a is None or a.deleting:
            return
        kind = msg.get("type")
        if kind == "reply":
            fut = self._replies.pop(msg.get("id"), None)
            if fut is not None and not fut.done():
                fut.set_result(msg)
            return
        if kind == "error":
            a.error = msg.get("message") or "the worker failed"
            log.warning("run %s failed in its worker: %s", run_id, msg.get("traceback"))
            return
        if kind == "final":
            a.final = msg.get("final")
            return
        if kind == "done" or kind == "status" and msg.get("status") in TERMINAL:
            # Held back until the worker has exited, so the terminal status and
            # "done" reach subscribers together with the final record.
            a.held.append(stamp(msg))
            return
        if kind == "status" and msg.get("status") == a.rec["status"]:
            return  # already announced (the manager sets pause/resume at once)
        changes = record_update(a.rec, msg)
        if kind == "checkpoint":
            self.models.forget(run_id)
        if kind in ("step", "epoch", "eval"):
            payload = {k: v for k, v in msg.items() if k not in ("type", "ts")}
            self.store.stage_metric(run_id, kind, msg.get("step"), msg.get("epoch"), payload)
        if kind == "status":
            changes["message"] = msg.get("message") or ""
        if changes:
            changes["updated_at"] = time.time()
            a.rec.update(changes)
            self.store.stage_run_update(run_id, **changes)
        if kind not in ("started", "checkpoint"):
            self.hub.publish(run_id, stamp(msg))

    def _on_exit(self, run_id: str, code: int | None) -> None:
        a = self._active.get(run_id)
        if a is None:
            return
        self._running.discard(run_id)
        if a.deleting:
            a.done.set()
            return
        if a.shutting_down:
            status, message = "interrupted", "the server shut down during this run"
        elif a.final is not None:
            status, message = a.final.get("status", "finished"), a.final.get("message") or ""
        elif a.error is not None:
            status, message = "failed", a.error
        else:
            status, message = "failed", exit_reason(code)
        self._spawn(self._finalize(run_id, status, message))
        self._spawn(self._schedule())

    async def _finalize(self, run_id: str, status: str, message: str) -> None:
        a = self._active.get(run_id)
        if a is None:
            return
        rec = a.rec
        changes = {"status": status, "message": message, "finished_at": time.time(),
                   "updated_at": time.time()}
        if a.final is not None:
            changes["final"] = clean(a.final)
        rec.update(changes)
        try:
            await asyncio.to_thread(self.store.update_run, run_id, **changes)
        finally:
            for ev in a.held:
                if ev.get("type") == "status":
                    ev.update(status=status, message=message)
            if not any(ev.get("type") == "status" for ev in a.held):
                a.held.insert(0, stamp({"type": "status", "status": status, "message": message}))
            for ev in a.held:
                self.hub.publish(run_id, ev)
            if self._active.get(run_id) is a:
                self._active.pop(run_id)
            self.hub.close(run_id)
            a.done.set()
        if status != "interrupted":
            await self._prune()

    async def _prune(self) -> None:
        if self.runs_kept <= 0 or self.store is None:
            return
        old = await asyncio.to_thread(self.store.prunable, self.runs_kept, TERMINAL)
        for run_id in old:
            if run_id not in self._active:
                await self._remove(run_id)

    # -- controls --------------------------------------------------------------------

    def _live(self, run_id: str) -> Active | None:
        """The active run that controls still reach (not finishing, not being deleted)."""
        a = self._active.get(run_id)
        return a if a is not None and a.rec["status"] not in TERMINAL and not a.deleting else None

    async def _active_or_error(self, run_id: str, action: str) -> Active:
        a = self._live(run_id)
        if a is not None:
            return a
        rec = await self.get(run_id)  # RunNotFound
        raise RunStateError(f"cannot {action} run '{run_id}': it is {rec['status']}", rec["status"])

    async def pause(self, run_id: str) -> dict:
        a = await self._active_or_error(run_id, "pause")
        if a.rec["status"] == "queued":
            raise RunStateError(f"cannot pause run '{run_id}': it is queued (stop or delete it)", "queued")
        if a.rec["status"] == "running":
            a.handle.send({"cmd": "pause"})
            self._set(run_id, status="paused")
        return self._public(run_id, a.rec)

    async def resume(self, run_id: str) -> dict:
        a = self._live(run_id)
        if a is None:
            rec = await self.get(run_id)
            if not rec["resumable"]:
                raise RunStateError(f"cannot resume run '{run_id}': it is {rec['status']}"
                                    + (" and has no checkpoint" if rec["status"] in ("interrupted", "failed")
                                       else ""), rec["status"])
            return await self._requeue(run_id)
        if a.rec["status"] == "paused":
            a.handle.send({"cmd": "resume"})
            self._set(run_id, status="running")
        return self._public(run_id, a.rec)

    async def _requeue(self, run_id: str) -> dict:
        if run_id in self._active:
            raise RunStateError(f"run '{run_id}' is still finishing; try again in a moment")
        self._check_capacity()
        rec = await asyncio.to_thread(self.store.get_run, run_id)
        path = checkpoints.checkpoint_dir(self.home, run_id, "latest")
        step = checkpoints.load_meta(path)["step"]
        await asyncio.to_thread(self.store.delete_metrics_after, run_id, step)
        rec.update(status="queued", message=f"resuming from the checkpoint at step {step}",
                   finished_at=None, final=None)
        self._active[run_id] = Active(rec, resume=True)
        await asyncio.to_thread(self.store.update_run, run_id, status="queued", message=rec["message"],
                                finished_at=None, final=None, updated_at=time.time())
        self._queue.append(run_id)
        await self._schedule()
        return self._public(run_id, self._active[run_id].rec if run_id in self._active else rec)

    async def stop(self, run_id: str) -> dict:
        a = self._live(run_id)
        if a is None:
            rec = await self.get(run_id)
            if rec["status"] != "interrupted":
                raise RunStateError(f"cannot stop run '{run_id}': it is {rec['status']}", rec["status"])
            await asyncio.to_thread(self.store.update_run, run_id, status="stopped",
                                    updated_at=time.time())
            return await self.get(run_id)
        if run_id in self._queue:
            self._queue.remove(run_id)
            await self._finalize(run_id, "stopped", "stopped before it started")
            await self._schedule()
            return await self.get(run_id)
        a.handle.send({"cmd": "stop"})
        return self._public(run_id, a.rec)

    async def step(self, run_id: str, n: int = 1) -> dict:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ConfigError("n must be an integer >= 1", ("n",))
        a = await self._active_or_error(run_id, "step")
        if a.handle is None or a.rec["status"] == "queued":
            raise RunStateError(f"cannot step run '{run_id}': it is queued", "queued")
        a.handle.send({"cmd": "step", "n": n})
        return self._public(run_id, a.rec)

    async def update(self, run_id: str, settings: dict) -> dict:
        settings = dict(settings or {})
        name = settings.pop("name", None)
        if name is not None and not isinstance(name, str):
            raise ConfigError("name must be a string", ("name",))
        a = self._live(run_id)
        rec = a.rec if a is not None else await self.get(run_id)
        if settings:
            if a is None and rec["status"] != "interrupted":
                raise RunStateError(f"cannot change the optimizer of run '{run_id}': it is "
                                    f"{rec['status']}", rec["status"])
            train = rec["config"]
            if a is not None and a.handle is not None:
                reply = await self._ask(a, {"cmd": "update", "settings": settings})
                if not reply.get("ok"):
                    raise ConfigError(reply.get("error") or "invalid optimizer settings",
                                      run_config._field_of(reply.get("error") or "", settings))
            else:
                merged = run_config.merge_optimizer_settings(train, settings)
                await asyncio.to_thread(run_config.check_optimizer, merged["optimizer"], {
                    "lr": merged["lr"], "weight_decay": merged["weight_decay"],
                    **merged["optimizer_params"]})
            self._set(run_id, config=run_config.merge_optimizer_settings(train, settings), _rec=rec)
        if name is not None:
            self._set(run_id, name=name, _rec=rec)
        if a is None:
            await asyncio.to_thread(self.store.flush)
            return await self.get(run_id)
        return self._public(run_id, a.rec)

    async def _ask(self, a: Active, msg: dict) -> dict:
        req = secrets.token_hex(6)
        fut = self._loop.create_future()
        self._replies[req] = fut
        if not a.handle.send({**msg, "id": req}):
            self._replies.pop(req, None)
            raise RunStateError("the run's worker is gone")
        try:
            return await asyncio.wait_for(fut, REPLY_TIMEOUT_S)
        except asyncio.TimeoutError:
            raise RunStateError("the run's worker did not answer in time") from None
        finally:
            self._replies.pop(req, None)

    def _set(self, run_id: str, _rec: dict | None = None, **changes) -> None:
        """Change a record in memory (if active) and stage it for the store."""
        a = self._active.get(run_id)
        rec = a.rec if a is not None else _rec
        changes["updated_at"] = time.time()
        old_status = rec.get("status") if rec else None
        if rec is not None:
            rec.update(changes)
        self.store.stage_run_update(run_id, **changes)
        if "status" in changes and changes["status"] != old_status:
            self.hub.publish(run_id, stamp({"type": "status", "status": changes["status"],
                                            "message": changes.get("message", "")}))

    async def request_snapshot(self, run_id: str) -> None:
        a = self._active.get(run_id)
        if a is None:
            await self.get(run_id)
            return
        if a.handle is not None:
            a.handle.send({"cmd": "snapshot"})

    def _on_watchers(self, run_id: str, n: int) -> None:
        a = self._active.get(run_id)
        if a is not None and a.handle is not None and (n > 0) != a.watched:
            a.watched = n > 0
            a.handle.send({"cmd": "watch", "on": a.watched})
            if a.watched:  # a first viewer sees the weights at once, even when paused
                a.handle.send({"cmd": "snapshot"})

    # -- delete, metrics, streams --------------------------------------------------------

    async def delete(self, run_id: str) -> None:
        a = self._active.get(run_id)
        if a is None:
            await self.get(run_id)
        else:
            a.deleting = True
            if run_id in self._queue:
                self._queue.remove(run_id)
            if a.handle is not None:
                a.handle.kill()
                await asyncio.wait_for(a.done.wait(), SHUTDOWN_GRACE_S)
            self._active.pop(run_id, None)
            self._running.discard(run_id)
        await self._remove(run_id)
        await self._schedule()

    async def _remove(self, run_id: str) -> None:
        self.hub.close(run_id, forget=True)
        self.models.forget(run_id)
        await asyncio.to_thread(self.store.delete_run, run_id)
        await asyncio.to_thread(shutil.rmtree, checkpoints.run_dir(self.home, run_id), True)

    async def metrics(self, run_id: str, kind: str = "step", offset: int = 0, limit: int | None = None,
                      max_points: int | None = None, since_step: int | None = None) -> dict:
        if kind not in ("step", "epoch", "eval"):
            raise ConfigError("kind must be 'step', 'epoch' or 'eval'", ("kind",))
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

    # -- models ----------------------------------------------------------------------

    async def get_model(self, run_id: str, which: str = "latest"):
        rec = await self.get(run_id)
        return await self.models.run_model(run_id, rec["spec"], which)

    async def export(self, run_id: str, which: str = "latest") -> bytes:
        rec = await self.get(run_id)
        steps = await asyncio.to_thread(self.store.metrics, run_id, "step")
        epochs = await asyncio.to_thread(self.store.metrics, run_id, "epoch")
        return await self.models.export(rec, {"step": steps, "epoch": epochs}, which)

    async def import_model(self, zip_bytes: bytes, name: str | None = None) -> dict:
        self._require_started()
        return await self.models.import_zip(zip_bytes, name)

    async def get_model_record(self, model_id: str) -> dict:
        return await self.models.record(model_id)

    async def list_models(self) -> list[dict]:
        return await asyncio.to_thread(self.store.list_models)

    async def get_imported_model(self, model_id: str):
        return await self.models.imported_model(model_id)

    async def delete_model(self, model_id: str) -> None:
        await self.models.delete_model(model_id)
