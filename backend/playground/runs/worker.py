"""The worker process of one run: build the model and data, train, report back.

Started by supervisor.py with the "spawn" context as ``main(job_json, conn)``.
``conn`` is one end of a duplex Pipe carrying JSON text both ways:

worker -> manager: ``started`` (total_steps ...), the Trainer's events (step
events aggregated by StepThrottle, snapshots with conv filter images when
playground.viz is there), ``checkpoint`` (a new latest/best checkpoint is on
disk), ``reply`` (answer to ``update``), ``error`` (training could not start or
crashed), ``final`` (run() returned).

manager -> worker: ``pause``, ``resume``, ``step`` (n), ``stop``, ``update``
(settings, id), ``speed`` (rate: steps per second or null), ``snapshot``, ``watch`` (on: snapshots every
snapshot_interval_s while someone watches), ``shutdown`` (checkpoint and stop:
the server is going down). A small thread reads them and calls the Trainer's
thread-safe controls; if the manager goes away (EOF) the run stops, so an
orphaned worker never trains on.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from playground.runs.events import Command, Job, ReplyEvent
from playground.runs.snapshot_extras import add_filter_images, add_unit_views
from playground.runs.worker_checkpoints import CheckpointWriter

WORKER_NICENESS = 10


def main(job_json: str, conn) -> None:
    job: Job = json.loads(job_json)
    worker = Worker(job, conn)
    try:
        code = worker.run()
    except BaseException as exc:  # report every way the run can end badly, then exit non-zero
        worker.send({"type": "error", "message": f"{type(exc).__name__}: {exc}",
                     "traceback": traceback.format_exc(limit=20)})
        code = 1
    finally:
        conn.close()
    sys.exit(code)


class Worker:
    def __init__(self, job: Job, conn: Any):
        self.job = job
        self.conn = conn
        self._send_lock = threading.Lock()
        self.orphaned = False
        self.trainer = None
        self.watched = bool(job.get("watched"))
        self.shutting_down = False
        self._fatal: Exception | None = None  # what ended the run from another thread

    # -- pipe ---------------------------------------------------------------------

    def send(self, msg: dict) -> None:
        """One event to the manager: a WorkerEvent (events.py), the Trainer's or the worker's own."""
        from playground.runs.events import encode

        if self.orphaned:
            return
        # Stamped where it happens, so a viewer's delay covers the hop to the server too.
        msg.setdefault("ts", time.time())
        data = encode(msg)
        try:
            with self._send_lock:
                self.conn.send_bytes(data)
        except (OSError, ValueError):
            self._orphan()

    def _orphan(self) -> None:
        self.orphaned = True
        if self.trainer is not None:
            self.trainer.stop()

    def _control_loop(self) -> None:
        from playground.runs.events import decode

        while True:
            try:
                msg = decode(self.conn.recv_bytes())
            except (EOFError, OSError, ValueError):
                self._orphan()
                return
            self._control(msg)

    def _control(self, msg: Command) -> None:
        t, cmd = self.trainer, msg.get("cmd")
        if cmd == "pause":
            t.pause()
        elif cmd == "resume":
            t.resume()
        elif cmd == "step":
            t.step(int(msg.get("n", 1)))
        elif cmd in ("stop", "shutdown"):
            self.shutting_down = self.shutting_down or cmd == "shutdown"
            t.stop()
        elif cmd == "snapshot":
            t.request_snapshot()
        elif cmd == "speed":
            t.set_rate(msg.get("rate"))
        elif cmd == "watch":
            self.watched = bool(msg.get("on"))
        elif cmd == "update":
            from playground.engine.optim import SettingError

            reply = ReplyEvent(type="reply", id=msg.get("id"), ok=True, error=None)
            try:
                t.set_optimizer(**msg.get("settings", {}))
                reply["settings"] = t.optimizer.settings()
            except (ValueError, TypeError) as exc:
                # The setting at fault travels as data, never found in the message.
                reply.update(ok=False, error=str(exc),
                             setting=exc.setting if isinstance(exc, SettingError) else None)
            self.send(dict(reply))

    # -- the run --------------------------------------------------------------------

    def run(self) -> int:
        job = self.job
        from threadpoolctl import threadpool_limits

        # Training yields the CPU to the server process, so predict and the
        # websocket stay responsive while every core trains.
        if hasattr(os, "nice"):
            try:
                os.nice(WORKER_NICENESS)
            except OSError:
                pass

        # Several runs share the cores: each worker gets a few BLAS threads only.
        with threadpool_limits(limits=job["blas_threads"]):
            return self._train()

    def _train(self) -> int:
        from playground.engine.data.registry import load_dataset
        from playground.engine.fit import check_dataset_fit
        from playground.engine.model import build_model, load_weights
        from playground.engine.run_config import API_FIELDS, RunConfig
        from playground.engine.train import Trainer
        from playground.runs import checkpoints
        from playground.runs.throttle import StepThrottle

        job = self.job
        # The run record's settings, read by the one definition (engine/run_config.py).
        train_cfg = RunConfig.from_dict(job["config"], only=API_FIELDS)
        model = build_model(job["spec"], seed=train_cfg.seed)
        if job.get("initial_weights_path"):
            load_weights(model, job["initial_weights_path"])
        params = dict(job.get("dataset_params") or {})
        ds = load_dataset(job["dataset"], data_dir=job.get("data_dir"), cache_dir=job.get("cache_dir"),
                          seed=train_cfg.seed,
                          val_split=params.get("val_split", 0.1), noise=params.get("noise"),
                          n_samples=params.get("n_samples"), path=params.get("path"),
                          class_fractions=params.get("class_fractions"))
        # A file's shape and classes are known only now (the manager checked the rest).
        check_dataset_fit(model.report, job["dataset"], ds)
        self.trainer = trainer = Trainer(model, ds, train_cfg, on_event=self._on_event)
        if job.get("resume"):
            path = checkpoints.checkpoint_dir(Path(job["home"]), job["run_id"], "latest")
            state = checkpoints.load_trainer_state(path) if path else None
            if state is None:
                raise RuntimeError("no checkpoint to resume from")
            trainer.load_state_dict(state)
            # The config holds the optimizer settings as last changed (update()
            # while running, or while interrupted): they win over the checkpoint's.
            trainer.set_optimizer(**train_cfg.optimizer_settings())
        self.throttle = StepThrottle(job["step_interval"])
        # Snapshots by step count as well as by time: a run that ends within a
        # second still leaves SNAPSHOTS_PER_RUN of them, spread over its steps.
        self._snap_steps = max(1, trainer.total_steps // SNAPSHOTS_PER_RUN)
        self._last_snap_step = trainer.step_count
        # What the snapshot this worker asked for is for (it arrives a step later,
        # after that step's own event): the store (keep) and/or the viewers (stream).
        self._snap_asked = self._keep_next = self._stream_next = False
        self._x_view = ds.x_train
        # Neuron views are for one or two inputs only (never copy an image set); their grids
        # span every point the page draws (train, validation, test), as the REST grid does.
        small = tuple(model.report.input_shape) in ((1,), (2,))
        self._x_extent = np.concatenate([a for a in (ds.x_train, ds.x_val, ds.x_test)
                                         if a is not None and len(a)]) if small else None
        self._snap_interval = job["snapshot_interval"]
        self._snap_idle = job["snapshot_idle_interval"]
        # The first step asks for a snapshot: every run's history starts with one.
        self._last_snap = float("-inf")
        self.checkpoints = CheckpointWriter(Path(job["home"]), job["run_id"], job["checkpoint_interval"],
                                            job.get("best_val_loss"), trainer.step_count)
        self._finished = threading.Event()
        threading.Thread(target=self._control_loop, name="controls", daemon=True).start()
        threading.Thread(target=self._tick_loop, name="ticker", daemon=True).start()
        self.send({"type": "started", "total_steps": trainer.total_steps,
                   "steps_per_epoch": trainer.steps_per_epoch, "step": trainer.step_count,
                   "epoch": trainer.epoch, "pid": os.getpid(), "blas_threads": _blas_threads()})
        try:
            final = trainer.run()
        finally:
            self._finished.set()
        if self._fatal is not None:
            raise self._fatal
        self._checkpoint(latest=final["status"] != "diverged")
        if final["status"] != "diverged":
            self._final_snapshot()
        self.send({"type": "final", "final": final, "shutdown": self.shutting_down})
        return 0

    def _on_event(self, ev: dict) -> None:
        kind = ev.get("type")
        if kind == "step":
            agg = self.throttle.add(ev)
            if agg is not None:
                self.send(agg)
            now = time.monotonic()
            # Unwatched runs still take a snapshot now and then, for the stored history.
            interval = self._snap_interval if self.watched else self._snap_idle
            rate = self.trainer.controls.rate
            step = int(ev.get("step") or 0)
            by_steps = step - self._last_snap_step >= self._snap_steps
            # In slow motion a viewer sees every step's weights.
            every_step = self.watched and rate is not None and rate <= SNAPSHOT_EVERY_STEP_BELOW
            by_time = every_step or now - self._last_snap >= interval
            if by_steps or by_time:
                if by_steps:
                    self._last_snap_step = step
                    self._keep_next = True    # the store keeps it whatever its time gap
                if by_time:
                    self._last_snap = now
                    self._stream_next = True  # viewers get snapshots by time, ~2/s
                if not self._snap_asked:
                    self._snap_asked = True
                    self.trainer.request_snapshot()
            if self.checkpoints.due:
                self._checkpoint()
            return
        # Pending steps go out before a status or snapshot, so the last step is
        # never lost; not before each epoch: a toy set ends one every few ms,
        # and a step event per epoch was most of a 2-D run's flood.
        pending = self.throttle.flush() if kind != "epoch" else None
        if pending is not None:
            self.send(pending)
        if kind == "snapshot":
            keep = self._keep_next
            # One taken for the store alone (by step count: up to SNAPSHOTS_PER_RUN in
            # a few seconds of a fast run) is not streamed, and needs no images: the
            # store keeps only the statistics, and the page reads them when the run ends.
            # Anything else streams: by time, the final one, one a viewer asked for.
            stream = bool(ev.get("final")) or not self._snap_asked or self._stream_next
            self._snap_asked = self._keep_next = self._stream_next = False
            if keep:
                ev["keep"] = True
            if not stream:
                ev["stream"] = False
            else:
                add_filter_images(ev, self.trainer.model)
                if self._x_extent is not None and (self.watched or ev.get("final")):
                    add_unit_views(ev, self.trainer.model, self._x_view, self._x_extent)
        self.send(ev)
        if kind == "epoch":
            self.checkpoints.offer_epoch(self.trainer, (ev.get("val") or ev.get("train") or {}).get("loss"))
            if self.checkpoints.due:
                self._checkpoint()
        elif kind == "status" and ev.get("status") == "paused":
            self._checkpoint()

    def _checkpoint(self, latest: bool = True) -> None:
        for msg in self.checkpoints.write(self.trainer, latest):
            self.send(msg)

    def _final_snapshot(self) -> None:
        """The weights as the run ended, so the stored history ends where the run did."""
        try:
            ev = self.trainer.snapshot()
        except (ValueError, FloatingPointError, ArithmeticError):
            return  # weights the snapshot cannot read are no reason to fail a finished run
        ev["final"] = True
        self._on_event(ev)

    def _tick_loop(self) -> None:
        """Send steps left in the throttle when training pauses, and checkpoint a
        paused run (after ``step(n)`` too) so predict sees its current weights."""
        t = self.trainer
        while not self._finished.wait(self.throttle.interval):
            pending = self.throttle.flush_stale()
            if pending is not None:
                self.send(pending)
            c = t.controls
            if c.paused and c.step_budget == 0 and t.step_count != self.checkpoints.step:
                try:
                    self._checkpoint()
                except Exception as exc:  # a full disk: end the run "failed" with the reason, not paused forever
                    self._fatal = exc
                    t.stop()
                    return


SNAPSHOTS_PER_RUN = 60  # by step count, besides the ones taken by time
SNAPSHOT_EVERY_STEP_BELOW = 10.0  # steps per second: slower runs snapshot every step while watched


def _blas_threads() -> int | None:
    """The BLAS thread count in effect here (what threadpool_limits set)."""
    from threadpoolctl import threadpool_info

    counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
    return max(counts) if counts else None
