"""SchedulerMixin: starting runs as the queue (run_queue.py) allows, starting workers, folding their messages into
run records and streams, and finishing runs when their worker exits.

Part of RunManager (manager.py); everything here runs on the event loop thread.
Worker messages arrive through ``call_soon_threadsafe`` from supervisor.py.
"""

from __future__ import annotations

import asyncio
import logging
import time

from playground.runs import checkpoints
from playground.runs.errors import without_paths
from playground.runs.events import clean, stamp
from playground.runs.protocol import TERMINAL
from playground.runs.records import record_update
from playground.runs.snapshots import KIND as SNAPSHOT, summarize
from playground.runs.supervisor import exit_reason

log = logging.getLogger(__name__)


class SchedulerMixin:
    # -- scheduling ------------------------------------------------------------------

    async def _schedule(self) -> None:
        # start_next: None when no worker is free or every waiting owner is at their share.
        while (run_id := self.queue.start_next()) is not None:
            await self._launch(run_id)
        for i, run_id in enumerate(self.queue.waiting.order()):
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
               "snapshot_idle_interval": self.snapshot_idle_interval,
               "checkpoint_interval": self.checkpoint_interval,
               "watched": self.hub.watchers(run_id) > 0}
        a.handle = self.executor.handle(run_id, self._loop, self._on_message, self._on_exit)
        now = time.time()
        self._set(run_id, status="running", message="", started_at=rec.get("started_at") or now)
        try:
            await asyncio.to_thread(a.handle.start, job, self.blas_threads if self.blas_env else None)
        except Exception as exc:  # could not start a process (fork limits) or an actor (cluster gone)
            a.handle = None
            self.queue.start_failed(run_id)
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
        if kind == "step":
            self.traces.add(run_id, msg.get("loss_mean", msg.get("loss")))
        if kind in ("step", "epoch", "eval"):
            payload = {k: v for k, v in msg.items() if k not in ("type", "ts")}
            self.store.stage_metric(run_id, kind, msg.get("step"), msg.get("epoch"), payload)
        elif kind == "snapshot":
            self._keep_snapshot(run_id, a, msg)
        if kind == "status":
            changes["message"] = msg.get("message") or ""
        if changes:
            changes["updated_at"] = time.time()
            a.rec.update(changes)
            self.store.stage_run_update(run_id, **changes)
        if kind not in ("started", "checkpoint"):
            self.hub.publish(run_id, stamp(msg))

    def _keep_snapshot(self, run_id: str, a, msg: dict) -> None:
        """Store a summary of some snapshots (runs/snapshots.py: bounded, spread out)."""
        keeper = a.snapshots
        if not keeper.wants(msg.get("ts") or time.time(), msg.get("step"), bool(msg.get("final") or msg.get("keep"))):
            return
        self.store.stage_metric(run_id, SNAPSHOT, msg.get("step"), None, summarize(msg))
        if keeper.thin_due():
            self._spawn(self._thin_snapshots(run_id, keeper))

    async def _thin_snapshots(self, run_id: str, keeper) -> None:
        left = await asyncio.to_thread(self.store.thin_metrics, run_id, SNAPSHOT)
        keeper.thinned(left)

    def _on_exit(self, run_id: str, code: int | None) -> None:
        a = self._active.get(run_id)
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
        self._spawn(self._finalize(run_id, status, message))
        self._spawn(self._schedule())

    async def _finalize(self, run_id: str, status: str, message: str) -> None:
        a = self._active.get(run_id)
        if a is None:
            return
        rec = a.rec
        message = without_paths(message)
        changes = {"status": status, "message": message, "finished_at": time.time(),
                   "updated_at": time.time()}
        if a.final is not None:
            changes["final"] = clean(a.final)
        rec.update(changes)
        try:
            await asyncio.to_thread(self.store.update_run, run_id, **changes)
        except Exception:
            # A full disk: the ending stays staged (reads see it) and is written
            # by the first flush that succeeds; the run never reads "running".
            log.exception("could not write the end of run %s; kept staged", run_id)
            self.store.stage_run_update(run_id, **changes)
        finally:
            await asyncio.to_thread(checkpoints.remove_partial, self.home, run_id)
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
