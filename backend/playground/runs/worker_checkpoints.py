"""The worker's checkpoints: the latest one (at most every ``interval`` seconds,
and when training pauses or ends) and the best one (the epoch of lowest
validation loss, else training loss). Either thread of the worker may write;
the lock keeps one write at a time."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from playground.runs import checkpoints
from playground.runs.events import CheckpointEvent


class CheckpointWriter:
    def __init__(self, home: Path, run_id: str, interval: float, best_val_loss: float | None, step: int):
        self.home, self.run_id, self.interval = home, run_id, interval
        self.best_val_loss = best_val_loss
        self.step = step  # of the latest checkpoint written
        self._last = time.monotonic()
        self._lock = threading.Lock()
        # (weights, step, epoch, loss) of a better epoch not yet written
        self._best: tuple[dict, int, int, float] | None = None

    @property
    def due(self) -> bool:
        """A toy set ends an epoch every few ms: write at most once per interval."""
        return time.monotonic() - self._last >= self.interval

    def offer_epoch(self, trainer: Any, metric: float | None) -> None:
        """Keep a copy of the weights if this epoch's loss is the best so far.
        Called on the training thread between steps, so the copy is consistent."""
        if metric is None or metric != metric:
            return
        if self.best_val_loss is None or metric < self.best_val_loss:
            self.best_val_loss = metric
            weights = {k: np.array(v, copy=True) for k, v in trainer.model.state_dict().items()}
            self._best = (weights, trainer.step_count, trainer.epoch, metric)

    def write(self, trainer: Any, latest: bool = True) -> list[CheckpointEvent]:
        """Write the latest checkpoint (unless latest=False: a diverged run's
        weights are NaN), and the best one if a better epoch is pending; the
        checkpoint events to send, best first."""
        sent: list[CheckpointEvent] = []
        with self._lock:
            if latest:
                # One state_dict (taken under the trainer's lock) gives weights
                # and counters of the same step, whichever thread asks.
                state = trainer.state_dict()
                weights = {k[6:]: v for k, v in state.items() if k.startswith("model.")}
                step, epoch = int(state["trainer.step"]), int(state["trainer.epoch"])
                meta = {"step": step, "epoch": epoch, "best_val_loss": self.best_val_loss}
                checkpoints.save(self.home, self.run_id, "latest", weights, state, meta)
                self._last = time.monotonic()
                self.step = step
                sent.append(CheckpointEvent(type="checkpoint", kind="latest", step=step, epoch=epoch,
                                            best_val_loss=self.best_val_loss))
            best, self._best = self._best, None
            if best is not None:
                weights, step, epoch, loss = best
                meta = {"step": step, "epoch": epoch, "val_loss": loss, "best_val_loss": self.best_val_loss}
                checkpoints.save(self.home, self.run_id, "best", weights, None, meta)
                sent.insert(0, CheckpointEvent(type="checkpoint", kind="best", step=step, epoch=epoch,
                                               val_loss=loss, best_val_loss=self.best_val_loss))
        return sent
