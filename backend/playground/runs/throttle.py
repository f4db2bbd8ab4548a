"""StepThrottle: the trainer's per-step events aggregated to a few per second.

The trainer may emit thousands of step events a second (a small MLP on a 2-D
set). Only the latest values plus a running mean over the aggregated steps go
out, at most once per ``interval`` seconds, so the pipe, the manager and the
websocket clients see ~20 messages/s whatever the model size.
"""

from __future__ import annotations

import threading
import time


class StepThrottle:
    def __init__(self, interval: float = 0.05, clock=time.monotonic):
        self.interval = float(interval)
        self._clock = clock
        self._last_emit = clock()
        # add() runs on the training thread, flush_stale() on the worker's ticker.
        self._lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self._latest: dict | None = None
        self._count = 0
        self._loss_sum = 0.0
        self._loss_n = 0
        self._acc_sum = 0.0
        self._acc_n = 0

    def add(self, event: dict) -> dict | None:
        """Take one step event; return an aggregated event when one is due."""
        with self._lock:
            return self._add(event)

    def _add(self, event: dict) -> dict | None:
        self._latest = event
        self._count += 1
        loss, acc = event.get("loss"), event.get("accuracy")
        if isinstance(loss, (int, float)):
            self._loss_sum += loss
            self._loss_n += 1
        if isinstance(acc, (int, float)):
            self._acc_sum += acc
            self._acc_n += 1
        if self._clock() - self._last_emit >= self.interval:
            return self._flush()
        return None

    def flush(self) -> dict | None:
        """The pending aggregate (None if no step since the last one), e.g.
        before an epoch or status event so the last step is never lost."""
        with self._lock:
            return self._flush()

    def flush_stale(self) -> dict | None:
        """The pending aggregate if it has waited a whole interval: the steps
        before a pause (or the last of ``step(n)``) go out without a next step."""
        with self._lock:
            if self._latest is not None and self._clock() - self._last_emit >= self.interval:
                return self._flush()
            return None

    def _flush(self) -> dict | None:
        if self._latest is None:
            return None
        now = self._clock()
        elapsed = max(now - self._last_emit, 1e-9)
        out = dict(self._latest)
        out["loss_mean"] = self._loss_sum / self._loss_n if self._loss_n else None
        out["accuracy_mean"] = self._acc_sum / self._acc_n if self._acc_n else None
        out["steps"] = self._count
        out["steps_per_s"] = self._count / elapsed
        self._last_emit = now
        self._reset()
        return out
