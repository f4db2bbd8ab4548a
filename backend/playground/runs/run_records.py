"""RunRecords: what the server knows about each run, one part of the run manager.

The runs that are queued, running or paused are in memory (``active``: their
Active entry, records.py), ahead of the store; every other run is a row of
the SQLite store (store.py). Reads answer from memory first, so a run's
record is never older than its last event. Event loop thread only.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from playground.runs import checkpoints
from playground.runs.errors import RunNotFound, RunStateError
from playground.runs.events import stamp
from playground.runs.protocol import ACTIVE, TERMINAL
from playground.runs.records import Active, public
from playground.runs.run_queue import RunQueue
from playground.runs.store import RunStore
from playground.runs.stream import Hub


class RunRecords:
    def __init__(self, home: Path, queue: RunQueue, hub: Hub):
        self.home = home
        self.queue = queue
        self.hub = hub
        self.store: RunStore | None = None  # opened by the manager's start()
        self.active: dict[str, Active] = {}

    def require_started(self) -> None:
        if self.store is None:
            raise RunStateError("the run manager is not running")

    async def get(self, run_id: str) -> dict:
        """The public record (RunNotFound when there is none)."""
        self.require_started()
        a = self.active.get(run_id)
        if a is not None:
            return self.public(run_id, a.rec)
        rec = await asyncio.to_thread(self.store.get_run, run_id)
        if rec is None:
            raise RunNotFound(run_id)
        return self.public(run_id, rec)

    async def list(self, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        self.require_started()
        if status in ACTIVE:
            # Every queued/running/paused run is in memory (start() marked the
            # store's leftovers interrupted), and memory is ahead of the store.
            live = sorted((a.rec for a in self.active.values() if a.rec["status"] == status),
                          key=lambda r: r["created_at"], reverse=True)
            return [self.public(r["id"], r) for r in live[offset:offset + limit]]
        rows = await asyncio.to_thread(self.store.list_runs, status, limit, offset)
        out = []
        for rec in rows:
            a = self.active.get(rec["id"])
            live = a.rec if a is not None else rec
            if status is None or live["status"] == status:
                out.append(self.public(rec["id"], live))
        return out

    def public(self, run_id: str, rec: dict) -> dict:
        # Interrupted runs restart (from their checkpoint, or from scratch without
        # one); failed ones only when a checkpoint survived the crash.
        resumable = rec["status"] == "interrupted" or (
            rec["status"] == "failed" and checkpoints.checkpoint_dir(self.home, run_id) is not None)
        return public(rec, self.queue.position(run_id), resumable)

    def live(self, run_id: str) -> Active | None:
        """The active run that controls still reach (not finishing, not being deleted)."""
        a = self.active.get(run_id)
        return a if a is not None and a.rec["status"] not in TERMINAL and not a.deleting else None

    def set(self, run_id: str, _rec: dict | None = None, **changes) -> None:
        """Change a record in memory (if active, else ``_rec``) and stage it for
        the store; a new status is announced to the run's viewers."""
        a = self.active.get(run_id)
        rec = a.rec if a is not None else _rec
        changes["updated_at"] = time.time()
        old_status = rec.get("status") if rec else None
        if rec is not None:
            rec.update(changes)
        self.store.stage_run_update(run_id, **changes)
        if "status" in changes and changes["status"] != old_status:
            self.hub.publish(run_id, stamp({"type": "status", "status": changes["status"],
                                            "message": changes.get("message", "")}))
