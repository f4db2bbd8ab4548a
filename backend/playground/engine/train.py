"""Trainer: the training loop, its events, run controls, evaluation, checkpoints.

    cfg = RunConfig(epochs=2, batch_size=64, optimizer="adam", lr=1e-3)   # run_config.py
    trainer = Trainer(model, dataset, cfg, on_event=print)
    final = trainer.run()      # {"status", "message", "steps", "epochs", "seconds", "train", "val", "test"}

Another thread may call `pause`, `resume`, `step(n)`, `stop`,
`set_optimizer(**settings)`, `request_snapshot` and `set_rate(steps_per_second)`
while `run()` is going (see controls.py). Events (`on_event(event)`: step,
epoch, status, snapshot, eval, done) are typed in train_events.py. Batches are taken in order from a per-epoch permutation drawn
from the trainer's own Generator (seeded by cfg.seed), or in file order when
shuffle is off: step k of an epoch trains on rows [k*B, (k+1)*B).
Accuracy is None for regression (mse); one-logit binary models count a
logit > 0 as class 1.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable

import numpy as np
from threadpoolctl import threadpool_limits

from playground.engine import evaluation, losses, metrics, optim, schedules
from playground.engine.controls import Controls
from playground.engine.data.registry import Dataset
from playground.engine.fast.allocator import keep_freed_memory
from playground.engine.fast.processes import ProcessSplit, splits_well
from playground.engine.model import Model
from playground.engine.run_config import RunConfig
from playground.engine.snapshot import batch_snapshot, model_snapshot, relu_layers
from playground.engine.train_state import Progress, checkpoint_state, load_checkpoint_state

# The Trainer's settings are the run configuration (run_config.py: defaults,
# bounds and vocabularies, checked when a RunConfig is made).
TrainConfig = RunConfig


class Trainer:
    """Trains `model` on `dataset` (engine.data.Dataset) as `cfg` says."""

    def __init__(self, model: Model, dataset: Dataset, cfg: RunConfig | None = None,
                 on_event: Callable[[dict], None] | None = None):
        self.model = model
        self.dataset = dataset
        self.cfg = cfg = cfg or RunConfig()
        self.on_event = on_event
        self.optimizer = optim.make_optimizer(cfg.optimizer, model.parameters(), **cfg.optimizer_settings())
        self._schedule = schedules.get_schedule(cfg.lr_schedule)
        self.base_lr = float(self.optimizer.lr)
        self.loss_name = evaluation.loss_name(model)
        self._loss_fn = losses.LOSSES[self.loss_name]
        self.classifier = self.loss_name != "mse"
        self._n_train = len(dataset.x_train)
        if self._n_train == 0:
            raise ValueError("the training set is empty")
        self.steps_per_epoch = math.ceil(self._n_train / cfg.batch_size)
        self.total_steps = cfg.steps if cfg.steps is not None else cfg.epochs * self.steps_per_epoch
        self._train_target = evaluation.loss_target(dataset.y_train, self.loss_name,
                                                    tuple(model.report.output_shape))
        self._relu = relu_layers(model.spec)
        self.controls = Controls()
        if cfg.steps_per_second is not None:
            self.controls.set_rate(cfg.steps_per_second)
        # Held for the whole of a step, so set_optimizer and state_dict from
        # another thread see the model and optimizer between steps, never mid-update.
        self._lock = threading.RLock()
        self._rng = np.random.default_rng(cfg.seed)
        self.progress = Progress()
        self._status = "running"
        self._last_batch: tuple[np.ndarray, np.ndarray] | None = None
        self._diverged_loss = math.nan
        self._blocked = 0.0  # seconds spent paused during run()
        # threads > 1: batches split over processes, or BLAS threads (fast/processes.py: splits_well)
        split = cfg.threads > 1 and splits_well(model)
        self._split = ProcessSplit(model, self.loss_name, cfg.threads) if split else None
        keep_freed_memory()     # a step's arrays reuse the last step's memory (fast/allocator.py)

    # -- controls (any thread) -------------------------------------------------

    @property
    def status(self) -> str:
        """"running" | "paused" | "finished" | "stopped" | "diverged"."""
        return self._status

    @property
    def step_count(self) -> int:
        return self.progress.step

    @property
    def epoch(self) -> int:
        return self.progress.epoch

    def pause(self) -> None:
        self.controls.pause()

    def resume(self) -> None:
        self.controls.resume()

    def step(self, n: int = 1) -> None:
        """Run n more steps, then pause."""
        self.controls.step(n)

    def stop(self) -> None:
        self.controls.stop()

    def request_snapshot(self) -> None:
        self.controls.request_snapshot()

    def set_rate(self, steps_per_second: float | None) -> None:
        """Slow motion: at most this many steps per second (None or 0: full speed)."""
        self.controls.set_rate(steps_per_second)

    def set_optimizer(self, **settings: float | bool) -> None:
        """Change optimizer settings (lr, momentum, ...); used from the next step on.
        ValueError (from the optimizer) on unknown names or bad values."""
        with self._lock:
            self.optimizer.set(**settings)
            if "lr" in settings:
                self.base_lr = float(self.optimizer.lr)

    # -- the loop --------------------------------------------------------------

    def run(self) -> dict:
        """Train until done, stopped or diverged; returns the final summary."""
        self._set_status("running")
        message = ""
        self._blocked = 0.0
        start, seconds_before = time.perf_counter(), self.progress.seconds
        # Split batches run one BLAS thread per process; unsplit, BLAS gets the threads
        # (threads=1 leaves BLAS as the environment set it).
        blas = threadpool_limits(1 if self._split else self.cfg.threads, user_api="blas") \
            if self.cfg.threads > 1 else contextlib.nullcontext()
        with blas, np.errstate(all="ignore"):  # a diverging run says so through its loss
            while self.progress.step < self.total_steps:
                if self.controls.rate:
                    t0 = time.perf_counter()
                    self.controls.pace()
                    self._blocked += time.perf_counter() - t0  # waiting is not training time
                if not self.controls.idle and not self._wait_turn():
                    self._status = "stopped"
                    break
                with self._lock:
                    loss = self._train_step()
                if loss is None:
                    p = self.progress
                    message = (f"loss became {self._diverged_loss} at step {p.step + 1} "
                               f"(epoch {p.epoch + 1}); try a lower learning rate")
                    self._status = "diverged"
                    break
            else:
                self._status = "finished"
            final = self._finish(message, start, seconds_before)
        self._emit({"type": "status", "status": self._status, "message": final["message"]})
        self._emit({"type": "done", **final})
        return final

    def _wait_turn(self) -> bool:
        t0 = time.perf_counter()
        go = self.controls.wait_turn(on_block=self._on_block, on_snapshot=self._paused_snapshot)
        self._blocked += time.perf_counter() - t0
        if go and self._status == "paused" and not self.controls.paused:
            self._set_status("running")
        return go

    def _on_block(self) -> None:
        if self._status != "paused":
            self._set_status("paused")

    def _train_step(self) -> float | None:
        cfg, p, B = self.cfg, self.progress, self.cfg.batch_size
        if p.batch_in_epoch == 0:
            p.order = self._rng.permutation(self._n_train) if cfg.shuffle else None
        lo = p.batch_in_epoch * B
        hi = min(lo + B, self._n_train)
        x, t, y = self.dataset.x_train, self._train_target, self.dataset.y_train
        if p.order is None:
            xb, tb, yb = x[lo:hi], t[lo:hi], y[lo:hi]
        else:
            idx = p.order[lo:hi]
            xb, tb, yb = x[idx], t[idx], y[idx]
        self._last_batch = (xb, tb)
        snap = self.controls.snapshot_requested and self.controls.take_snapshot_request()
        snap = snap or (cfg.snapshot_every > 0 and (p.step + 1) % cfg.snapshot_every == 0)
        if self._schedule is not schedules.constant:
            self.optimizer.lr = self.base_lr * self._schedule(p.step / max(self.total_steps, 1))
        # Split over processes, the split step also sums the gradients and updates
        # the weights, unless a snapshot (of the weights before the update) is due.
        fused = self._split is not None and not snap
        if self._split is None:
            out = self.model(xb, training=True)
            loss = self._loss_fn(out, tb)
            loss_v = loss.item()
            if math.isfinite(loss_v):
                loss.backward()
            outputs = out.data
        else:
            loss_v, outputs = self._split(xb, tb, self.optimizer if fused else None)
        if not math.isfinite(loss_v):
            self._diverged_loss = loss_v
            return None
        if snap:
            layers = self._layers_snapshot(xb)
        if not fused:
            self.optimizer.step()
        self.optimizer.zero_grad()
        n = hi - lo
        acc = None
        if self.classifier:
            correct = int(np.count_nonzero(metrics.predictions(outputs) == yb))
            p.epoch_correct += correct
            acc = correct / n
        p.epoch_loss += loss_v * n
        p.epoch_seen += n
        p.step += 1
        p.batch_in_epoch += 1
        epoch = p.epoch
        epoch_done = p.batch_in_epoch == self.steps_per_epoch
        if epoch_done:
            # Counters move on before any event, so a checkpoint taken by an
            # event handler (the run worker does) always resumes at a valid batch.
            p.last_train = self._epoch_train_metrics()
            p.new_epoch()
        if p.step % cfg.log_every == 0:
            self._emit({"type": "step", "step": p.step, "epoch": epoch, "loss": loss_v,
                        "accuracy": acc, "lr": float(self.optimizer.lr)})
        if snap:
            self._emit({"type": "snapshot", "step": p.step, "layers": layers})
        if epoch_done:
            self._end_epoch()
        return loss_v

    def _end_epoch(self) -> None:
        val = None
        if self.cfg.eval_every_epoch and self._has_split("val"):
            full = self._unless_stopped(self.dataset.x_val, self.dataset.y_val)
            val = _short(full) if full is not None else None
            self.progress.last_val = val
        self._emit({"type": "epoch", "epoch": self.progress.epoch, "step": self.progress.step,
                    "train": self.progress.last_train, "val": val})

    def _epoch_train_metrics(self) -> dict:
        p = self.progress
        if not p.epoch_seen:
            return dict(p.last_train)
        loss = p.epoch_loss / p.epoch_seen
        return {"loss": loss if math.isfinite(loss) else None,
                "accuracy": p.epoch_correct / p.epoch_seen if self.classifier else None}

    def _finish(self, message: str, start: float, seconds_before: float) -> dict:
        train, val, test = self._epoch_train_metrics(), self.progress.last_val, None
        if self._status != "diverged":
            # A stop that arrives during these evaluations ends them: the run is
            # stopped without the metrics still to come (a very deep network can
            # take minutes over 10,000 test images).
            gave_up = False
            if self._has_split("val") and (val is None or self.progress.batch_in_epoch):
                full = self._unless_stopped(self.dataset.x_val, self.dataset.y_val)
                gave_up = full is None
                if full is not None:
                    val = _short(full)
                    self._emit({"type": "eval", "split": "val", **full})
            if self._has_split("test") and not gave_up:
                test = self._unless_stopped(self.dataset.x_test, self.dataset.y_test)
                gave_up = test is None
                if test is not None:
                    self._emit({"type": "eval", "split": "test", **test})
            if gave_up:
                self._status = "stopped"
                message = "stopped during the final evaluation: no test metrics"
        # Wall time of this run() (plus runs before a checkpoint), paused time excluded.
        self.progress.seconds = seconds_before + time.perf_counter() - start - self._blocked
        return {"status": self._status, "message": message, "steps": self.progress.step,
                "epochs": self.progress.epoch, "seconds": self.progress.seconds,
                "train": train, "val": val, "test": test}

    # -- evaluation and snapshots ---------------------------------------------

    def evaluate(self, x: np.ndarray, y: np.ndarray, batch_size: int | None = None) -> dict:
        """Loss and, for classifiers, accuracy, per-class accuracy, confusion
        matrix and the first 64 misclassified indices, on (x, y) in eval mode.
        Safe to call from another thread: it runs between two training steps."""
        result = self._evaluate(x, y, batch_size)
        assert result is not None  # (nothing to cancel it)
        return result

    def _unless_stopped(self, x: np.ndarray, y: np.ndarray) -> dict | None:
        """evaluate(x, y), or None when stop() is called while it runs."""
        stops = self.controls.stops
        return self._evaluate(x, y, cancelled=lambda: self.controls.stops != stops)

    def _evaluate(self, x: np.ndarray, y: np.ndarray, batch_size: int | None = None,
                  cancelled: Callable[[], bool] | None = None) -> dict | None:
        with self._lock:
            return evaluation.evaluate(self.model, self._loss_fn, self.loss_name, x, y,
                                       batch_size or evaluation.eval_batch(self.model), cancelled=cancelled)

    def snapshot(self) -> dict:
        """A snapshot event for the latest batch (its gradients in eval mode)."""
        with self._lock:
            batch = self._last_batch
            layers = batch_snapshot(self.model, self._loss_fn, *batch, self._relu) if batch \
                else model_snapshot(self.model, None, [])
            return {"type": "snapshot", "step": self.progress.step, "layers": layers}

    def _paused_snapshot(self) -> None:
        self._emit(self.snapshot())

    def _layers_snapshot(self, xb: np.ndarray) -> list[dict]:
        return model_snapshot(self.model, xb, self._relu)

    # -- checkpoints ----------------------------------------------------------

    def state_dict(self) -> dict:
        """Everything a resumed run needs to continue exactly as this one would
        (weights, optimizer state, counters, batch order, Generator states);
        the format is described in train_state.py."""
        with self._lock:
            return checkpoint_state(self.model, self.optimizer, self.progress, self._rng)

    def load_state_dict(self, d: dict) -> None:
        """Restore a state_dict (before run())."""
        with self._lock:
            load_checkpoint_state(d, self.model, self.optimizer, self.progress, self._rng)

    # -- helpers --------------------------------------------------------------

    def _set_status(self, status: str, message: str = "") -> None:
        self._status = status
        self._emit({"type": "status", "status": status, "message": message})

    def _emit(self, event: dict) -> None:
        """``event``: one of train_events.py's shapes."""
        if self.on_event is not None:
            self.on_event(event)

    def _has_split(self, split: str) -> bool:
        x = getattr(self.dataset, f"x_{split}", None)
        return x is not None and len(x) > 0


def _short(full: dict) -> dict:
    return {"loss": full["loss"], "accuracy": full["accuracy"]}
