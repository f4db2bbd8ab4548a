"""Lifecycle: a run from the queue to its end, one part of the run manager.

It starts runs as the queue (run_queue.py) allows, through the executor
(executor.py); folds each worker message into the run's record, metric
history and live stream; and ends a run when its worker exits. Event loop
thread only: worker messages arrive through ``call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from playground.runs import checkpoints
from playground.runs.errors import without_paths
from playground.runs.events import Job, WorkerEvent, stamp
from playground.runs.protocol import TERMINAL
from playground.runs.records import record_update
from playground.runs.run_queue import RunQueue
from playground.runs.run_records import RunRecords
from playground.runs.snapshots import KIND as SNAPSHOT
from playground.runs.snapshots import summarize
from playground.runs.stream import Hub
from playground.runs.supervisor import exit_reason
from playground.runs.traces import LossTraces
from playground.viz.json_safe import finite

log = logging.getLogger(__name__)


class Lifecycle:
    def __init__(self, records: RunRecords, queue: RunQueue, hub: Hub, traces: LossTraces,
                 job_defaults: dict, blas_env: bool, runs_kept: int,
                 on_checkpoint: Callable[[str], None], remove: Callable[[str], Awaitable[None]]):
        """``job_defaults``: what every worker's job carries besides the run
        (home, data_dir, BLAS threads, event and checkpoint intervals);
        ``on_checkpoint(run_id)``: new weights on disk (drop cached models);
        ``remove(run_id)``: forget a run entirely (pruning)."""
        self.records = records
        self.queue = queue
        self.hub = hub
        self.traces = traces
        self.job_defaults = job_defaults
        self.blas_env = blas_env
        self.runs_kept = runs_kept
        self.on_checkpoint = on_checkpoint
        self.remove = remove
        self.executor = None  # set by the manager's start()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.replies: dict[str, asyncio.Future] = {}  # control requests waiting for their worker's reply
        self.tasks: set[asyncio.Task] = set()

    def spawn(self, coro) -> None:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # -- scheduling ------------------------------------------------------------------

    async def schedule(self) -> None:
        # start_next: None when no worker is free or every waiting owner is at their share.
        while (run_id := self.queue.start_next()) is not None:
            await self.launch(run_id)
        for i, run_id in enumerate(self.queue.waiting.order()):
            self.hub.publish(run_id, stamp({"type": "status", "status": "queued",
                                            "message": f"waiting for a worker (position {i + 1})",
                                            "queue_position": i + 1}))

    async def launch(self, run_id: str) -> None:
        a = self.records.active[run_id]
        rec = a.rec
        job: Job = {**self.job_defaults, "run_id": run_id, "spec": rec["spec"],
               "dataset": rec["dataset"], "dataset_params": rec["dataset_params"],
               "config": rec["config"], "initial_weights_path": a.initial_weights_path,
               "resume": a.resume, "best_val_loss": rec.get("best_val_loss"),
               "watched": self.hub.watchers(run_id) > 0}
        a.handle = self.executor.handle(run_id, self.loop, self.on_message, self.on_exit)
        self.records.set(run_id, status="running", message="", started_at=rec.get("started_at") or time.time())
        blas = self.job_defaults["blas_threads"] if self.blas_env else None
        try:
            await asyncio.to_thread(a.handle.start, job, blas)
        except Exception as exc:  # could not start a process (fork limits) or an actor (cluster gone)
            a.handle = None
            self.queue.start_failed(run_id)
            await self.finalize(run_id, "failed", f"could not start a worker: {exc}")

    # -- messages from workers (event loop thread) --------------------------------------

    def on_message(self, run_id: str, msg: WorkerEvent) -> None:
        a = self.records.active.get(run_id)
        if a is None or a.deleting:
            return
        kind = msg.get("type")
        if kind == "reply":
            fut = self.replies.pop(msg.get("id"), None)
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
        store = self.records.store
        if kind == "checkpoint":
            self.on_checkpoint(run_id)
        if kind == "step":
            self.traces.add(run_id, msg.get("loss_mean", msg.get("loss")))
        if kind in ("step", "epoch", "eval"):
            payload = {k: v for k, v in msg.items() if k not in ("type", "ts")}
            store.stage_metric(run_id, kind, msg.get("step"), msg.get("epoch"), payload)
        elif kind == "snapshot":
            self._keep_snapshot(run_id, a, msg)
        if kind == "status":
            changes["message"] = msg.get("message") or ""
        if changes:
            changes["updated_at"] = time.time()
            a.rec.update(changes)
            store.stage_run_update(run_id, **changes)
        if kind not in ("started", "checkpoint") and msg.get("stream") is not False:
            self.hub.publish(run_id, stamp(msg))

    def _keep_snapshot(self, run_id: str, a, msg: dict) -> None:
        """Store a summary of some snapshots (runs/snapshots.py: bounded, spread out)."""
        keeper = a.snapshots
        if not keeper.wants(msg.get("ts") or time.time(), msg.get("step"), bool(msg.get("final") or msg.get("keep"))):
            return
        self.records.store.stage_metric(run_id, SNAPSHOT, msg.get("step"), None, summarize(msg))
        if keeper.thin_due():
            self.spawn(self._thin_snapshots(run_id, keeper))

    async def _thin_snapshots(self, run_id: str, keeper) -> None:
        left = await asyncio.to_thread(self.records.store.thin_metrics, run_id, SNAPSHOT)
        keeper.thinned(left)

    def on_exit(self, run_id: str, code: int | None) -> None:
        a = self.records.active.get(run_id)
        if a is None:
            return
        self.queue.done(run_id)
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
            status, message = "failed", getattr(a.handle, "reason", None) or exit_reason(code)
        self.spawn(self.finalize(run_id, status, message))
        self.spawn(self.schedule())

    async def finalize(self, run_id: str, status: str, message: str) -> None:
        a = self.records.active.get(run_id)
        if a is None:
            return
        rec = a.rec
        store = self.records.store
        message = without_paths(message)
        changes = {"status": status, "message": message, "finished_at": time.time(),
                   "updated_at": time.time()}
        if a.final is not None:
            changes["final"] = finite(a.final)
        rec.update(changes)
        try:
            await asyncio.to_thread(store.update_run, run_id, **changes)
        except Exception:
            # A full disk: the ending stays staged (reads see it) and is written
            # by the first flush that succeeds; the run never reads "running".
            log.exception("could not write the end of run %s; kept staged", run_id)
            store.stage_run_update(run_id, **changes)
        finally:
            await asyncio.to_thread(checkpoints.remove_partial, self.records.home, run_id)
            for ev in a.held:
                if ev.get("type") == "status":
                    ev.update(status=status, message=message)
            if not any(ev.get("type") == "status" for ev in a.held):
                a.held.insert(0, stamp({"type": "status", "status": status, "message": message}))
            for ev in a.held:
                self.hub.publish(run_id, ev)
            if self.records.active.get(run_id) is a:
                self.records.active.pop(run_id)
            self.hub.close(run_id)
            a.done.set()
        if status != "interrupted":
            await self.prune()

    async def prune(self) -> None:
        store = self.records.store
        if self.runs_kept <= 0 or store is None:
            return
        old = await asyncio.to_thread(store.prunable, self.runs_kept, TERMINAL)
        for run_id in old:
            if run_id not in self.records.active:
                await self.remove(run_id)
