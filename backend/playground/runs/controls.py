"""RunControls: pause, resume (also of interrupted runs), stop, step, optimizer
updates, speed (slow motion) and snapshot requests; one part of the run manager.

A control of a running run is a message to its worker; the record changes at
once (pause/resume) and the Trainer's own status events confirm it.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable

from playground.engine.run_config import check_optimizer, merge_optimizer_settings, optimizer_settings
from playground.runs import checkpoints
from playground.runs import config as run_config
from playground.runs.errors import ConfigError, RunStateError
from playground.runs.lifecycle import Lifecycle
from playground.runs.owner import LOCAL_ID, Owner
from playground.runs.records import Active
from playground.runs.run_queue import RunQueue
from playground.runs.run_records import RunRecords

REPLY_TIMEOUT_S = 10.0


class RunControls:
    def __init__(self, records: RunRecords, queue: RunQueue, lifecycle: Lifecycle,
                 initial_weights: Callable[[dict], Awaitable[str | None]]):
        """``initial_weights(run_config)``: the weights file a run starts from (a
        run resumed before its first checkpoint starts over from them)."""
        self.records = records
        self.queue = queue
        self.lifecycle = lifecycle
        self.initial_weights = initial_weights

    # -- controls --------------------------------------------------------------------

    async def _active_or_error(self, run_id: str, action: str) -> Active:
        a = self.records.live(run_id)
        if a is not None:
            return a
        rec = await self.records.get(run_id)  # RunNotFound
        raise RunStateError(f"cannot {action} run '{run_id}': it is {rec['status']}", rec["status"])

    async def pause(self, run_id: str) -> dict:
        a = await self._active_or_error(run_id, "pause")
        if a.rec["status"] == "queued":
            raise RunStateError(f"cannot pause run '{run_id}': it is queued (stop or delete it)", "queued")
        a.stepping = False
        if a.rec["status"] == "running":
            a.handle.send({"cmd": "pause"})
            self.records.set(run_id, status="paused")
        return self.records.public(run_id, a.rec)

    async def resume(self, run_id: str) -> dict:
        a = self.records.live(run_id)
        if a is None:
            rec = await self.records.get(run_id)
            if not rec["resumable"]:
                raise RunStateError(f"cannot resume run '{run_id}': it is {rec['status']}"
                                    + (" and has no checkpoint" if rec["status"] == "failed" else ""),
                                    rec["status"])
            return await self._requeue(run_id)
        if a.rec["status"] != "paused" and not (a.rec["status"] == "running" and a.stepping):
            # running or queued: nothing to resume (409, as documented)
            raise RunStateError(f"cannot resume run '{run_id}': it is {a.rec['status']}", a.rec["status"])
        a.stepping = False
        a.handle.send({"cmd": "resume"})
        self.records.set(run_id, status="running")
        return self.records.public(run_id, a.rec)

    async def _requeue(self, run_id: str) -> dict:
        if run_id in self.records.active:
            raise RunStateError(f"run '{run_id}' is still finishing; try again in a moment")
        rec = await self.records.get(run_id)
        owner = Owner(rec.get("owner") or LOCAL_ID, rec.get("owner_name") or "")
        # reserve(): RunStateError when a concurrent resume of the same run got there first.
        with self.queue.reserve(run_id, owner):
            rec = await self._prepare_requeue(run_id)
            self.queue.enqueue(run_id, owner.id)
        await self.lifecycle.schedule()
        return self.records.public(run_id, self.records.active[run_id].rec if run_id in self.records.active else rec)

    async def _prepare_requeue(self, run_id: str) -> dict:
        rec = await asyncio.to_thread(self.records.store.get_run, run_id)
        path = checkpoints.checkpoint_dir(self.records.home, run_id, "latest")
        if path is not None:
            step = checkpoints.load_meta(path)["step"]
            message, weights = f"resuming from the checkpoint at step {step}", None
        else:  # interrupted before its first checkpoint: start over
            step, message = 0, "restarting from the beginning (no checkpoint yet)"
            weights = await self.initial_weights(rec)
        await asyncio.to_thread(self.records.store.delete_metrics_after, run_id, step)
        rec.update(status="queued", message=message, finished_at=None, final=None)
        self.records.active[run_id] = Active(rec, resume=path is not None, initial_weights_path=weights)
        await asyncio.to_thread(self.records.store.update_run, run_id, status="queued", message=rec["message"],
                                finished_at=None, final=None, updated_at=time.time())
        return rec

    async def stop(self, run_id: str) -> dict:
        a = self.records.live(run_id)
        if a is None:
            rec = await self.records.get(run_id)
            if rec["status"] != "interrupted":
                raise RunStateError(f"cannot stop run '{run_id}': it is {rec['status']}", rec["status"])
            await asyncio.to_thread(self.records.store.update_run, run_id, status="stopped",
                                    updated_at=time.time())
            return await self.records.get(run_id)
        if self.queue.is_waiting(run_id):
            self.queue.done(run_id)
            await self.lifecycle.finalize(run_id, "stopped", "stopped before it started")
            await self.lifecycle.schedule()
            return await self.records.get(run_id)
        a.handle.send({"cmd": "stop"})
        return self.records.public(run_id, a.rec)

    async def step(self, run_id: str, n: int = 1) -> dict:
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ConfigError("n must be an integer >= 1", ("n",))
        a = await self._active_or_error(run_id, "step")
        if a.handle is None or a.rec["status"] == "queued":
            raise RunStateError(f"cannot step run '{run_id}': it is queued", "queued")
        a.handle.send({"cmd": "step", "n": n})
        a.stepping = True
        return self.records.public(run_id, a.rec)

    async def update(self, run_id: str, settings: dict) -> dict:
        settings = dict(settings or {})
        name = settings.pop("name", None)
        if name is not None and not isinstance(name, str):
            raise ConfigError("name must be a string", ("name",))
        a = self.records.live(run_id)
        rec = a.rec if a is not None else await self.records.get(run_id)
        if settings:
            if a is None and rec["status"] != "interrupted":
                raise RunStateError(f"cannot change the optimizer of run '{run_id}': it is "
                                    f"{rec['status']}", rec["status"])
            merged = merge_optimizer_settings(rec["config"], settings)
            if a is not None and a.handle is not None:
                reply = await self._ask(a, {"cmd": "update", "settings": settings})
                if not reply.get("ok"):
                    # The setting at fault travels as data; here it is a key of ``settings``.
                    raise ConfigError(reply.get("error") or "invalid optimizer settings",
                                      _where(reply.get("setting")))
            else:
                await asyncio.to_thread(_check_settings, merged)
            self.records.set(run_id, config=merged, _rec=rec)
        if name is not None:
            self.records.set(run_id, name=name, _rec=rec)
        if a is None:
            await asyncio.to_thread(self.records.store.flush)
            return await self.records.get(run_id)
        return self.records.public(run_id, a.rec)

    async def set_speed(self, run_id: str, rate: float | None) -> dict:
        """Slow motion: at most `rate` steps per second (None: full speed), from the
        next step of a live run, and for the rest of the run (the config keeps it)."""
        run_config.check_rate(rate)
        a = self.records.live(run_id)
        rec = a.rec if a is not None else await self.records.get(run_id)
        if a is None and rec["status"] != "interrupted":
            raise RunStateError(f"cannot change the speed of run '{run_id}': it is {rec['status']}", rec["status"])
        if a is not None and a.handle is not None:
            a.handle.send({"cmd": "speed", "rate": rate})
        self.records.set(run_id, config={**rec["config"], "steps_per_second": rate}, _rec=rec)
        if a is None:
            await asyncio.to_thread(self.records.store.flush)
            return await self.records.get(run_id)
        return self.records.public(run_id, a.rec)

    async def _ask(self, a: Active, msg: dict) -> dict:
        req = secrets.token_hex(6)
        fut = self.lifecycle.loop.create_future()
        self.lifecycle.replies[req] = fut
        if not a.handle.send({**msg, "id": req}):
            self.lifecycle.replies.pop(req, None)
            raise RunStateError("the run's worker is gone")
        try:
            return await asyncio.wait_for(fut, REPLY_TIMEOUT_S)
        except asyncio.TimeoutError:
            raise RunStateError("the run's worker did not answer in time") from None
        finally:
            self.lifecycle.replies.pop(req, None)

    async def request_snapshot(self, run_id: str) -> None:
        a = self.records.active.get(run_id)
        if a is None:
            await self.records.get(run_id)
            return
        if a.handle is not None:
            a.handle.send({"cmd": "snapshot"})

    def on_watchers(self, run_id: str, n: int) -> None:
        a = self.records.active.get(run_id)
        if a is not None and a.handle is not None and (n > 0) != a.watched:
            a.watched = n > 0
            a.handle.send({"cmd": "watch", "on": a.watched})
            if a.watched:  # a first viewer sees the weights at once, even when paused
                a.handle.send({"cmd": "snapshot"})


def _where(setting: str | None) -> tuple:
    """Where a setting is in an update's ``settings`` (flat: lr, momentum, ...)."""
    return (setting,) if setting else ()


def _check_settings(train: dict) -> None:
    """The optimizer's judgement of a queued run's changed settings (ConfigError
    at the key of the update)."""
    with run_config.config_errors():
        check_optimizer(train["optimizer"], optimizer_settings(train), where=_where)
