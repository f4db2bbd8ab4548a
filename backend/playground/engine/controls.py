"""Thread-safe run controls shared by the training loop and its callers.

Another thread (a run manager, a test, a UI handler) calls `pause`, `resume`,
`step(n)`, `stop`, `request_snapshot` and `set_rate`; the training thread reads
the flags once per step (`idle` is a plain attribute read, so the common case
costs nothing) and, when one is set, calls `wait_turn` which blocks while
paused. With a rate set (steps per second, slow motion for watching a run
learn), `pace` holds each step until its turn.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class Controls:
    """Pause / resume / step / stop / snapshot requests."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.paused = False
        self.stop_requested = False
        self.stops = 0  # stop() calls so far: a stop that arrives during an evaluation ends it
        self.snapshot_requested = False
        self.step_budget = 0  # steps still allowed while paused
        self.rate: float | None = None  # steps per second; None = as fast as the machine goes
        self._next_at: float | None = None  # monotonic time the next paced step may start

    @property
    def idle(self) -> bool:
        """True when nothing is asked of the loop: it may run the next step at once."""
        return not (self.paused or self.stop_requested or self.snapshot_requested)

    def pause(self) -> None:
        with self._cond:
            self.paused = True
            self.step_budget = 0
            self._cond.notify_all()

    def resume(self) -> None:
        with self._cond:
            self.paused = False
            self.step_budget = 0
            self._cond.notify_all()

    def step(self, n: int = 1) -> None:
        """Run n more steps, then pause (also when called while running)."""
        n = int(n)
        if n < 1:
            raise ValueError(f"step count must be >= 1, got {n}")
        with self._cond:
            self.step_budget = (self.step_budget if self.paused else 0) + n
            self.paused = True
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self.stop_requested = True
            self.stops += 1
            self._cond.notify_all()

    def request_snapshot(self) -> None:
        with self._cond:
            self.snapshot_requested = True
            self._cond.notify_all()

    def set_rate(self, rate: float | None) -> None:
        """Steps per second from now on (None or 0: no limit)."""
        if rate is not None and not rate >= 0:
            raise ValueError(f"steps per second must be >= 0, got {rate}")
        with self._cond:
            self.rate = float(rate) if rate else None
            self._next_at = None
            self._cond.notify_all()

    def pace(self) -> None:
        """Block until the next step is due at `rate` steps per second. Returns at
        once without a rate, and early for stop or pause (wait_turn handles
        those) or a new rate. A loop that fell behind (a slow step, a pause)
        starts counting again from now instead of racing to catch up."""
        with self._cond:
            while self.rate and not (self.stop_requested or self.paused):
                now = time.monotonic()
                period = 1.0 / self.rate
                if self._next_at is None or self._next_at < now - period:
                    self._next_at = now
                if self._next_at <= now:
                    self._next_at += period
                    return
                self._cond.wait(self._next_at - now)

    def take_snapshot_request(self) -> bool:
        """Read and clear the snapshot request in one go."""
        with self._cond:
            asked, self.snapshot_requested = self.snapshot_requested, False
            return asked

    def wait_turn(self, on_block: Callable[[], None], on_snapshot: Callable[[], None]) -> bool:
        """Block until the loop may run one step; False when it must stop.

        on_block() is called once each time the loop is about to block (so the
        trainer can announce "paused"); on_snapshot() serves a snapshot request
        that arrives while paused. Both run without the lock held.
        """
        announced = False
        while True:
            with self._cond:
                if self.stop_requested:
                    return False
                if not self.paused:
                    return True
                if self.step_budget > 0:
                    self.step_budget -= 1
                    return True
                serve_snapshot = self.snapshot_requested
                self.snapshot_requested = False
                if not serve_snapshot and announced:
                    self._cond.wait()
                    continue
            if serve_snapshot:
                on_snapshot()
            if not announced:
                on_block()
                announced = True
