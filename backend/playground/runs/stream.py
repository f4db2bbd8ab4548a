"""Fan-out of a run's live events to many subscribers, latest-state style.

Each subscriber owns a ``Mailbox``: a short deque where a new ``step`` or
``snapshot`` event replaces the undelivered one of the same type (since the
last ordered event), while ``epoch``/``status``/``eval``/``done`` keep their
order. A slow reader therefore skips intermediate steps instead of growing a
backlog, and publishing is O(mailbox) on the event loop: it never waits on a
reader, so it never slows training. Everything here runs on the event loop
thread (no locks).

A fast reader is held to RATE_LIMITS per viewer: a 2-D run at batch 16 ends
an epoch every ~20 steps, hundreds a second, and sent each viewer every one.
A step or epoch event that comes sooner than its type's interval after the
last one waits as that type's held event (a newer one replaces it: latest
wins) and goes out when due, before any ordered event (status, eval, done),
or at close: the final epoch is always delivered.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncGenerator, Awaitable, Callable

# Newer replaces older while undelivered.
COALESCE = frozenset({"step", "snapshot"})
# Ordered events kept per mailbox; beyond this the oldest are dropped (a reader
# this far behind only needs the present; the "state" it got on connect and the
# REST history fill the gap).
MAILBOX_SIZE = 64
# Seconds between two events of a type to one viewer: at most ~20 step and
# ~10 epoch events/s (docs/api.md), whatever the run's epoch length.
RATE_LIMITS = {"step": 0.05, "epoch": 0.1}

_CLOSED = object()


class Mailbox:
    def __init__(self, size: int = MAILBOX_SIZE, limits: dict[str, float] | None = None,
                 clock=time.monotonic):
        self._items: deque = deque()
        self._size = size
        self._wake = asyncio.Event()
        self.closed = False
        self.dropped = 0
        self._limits = dict(limits or {})
        self._held: dict[str, dict] = {}
        self._sent: dict[str, float] = {}  # when a rate-limited type last went into the box
        self._clock = clock

    def put(self, event: dict) -> None:
        if self.closed:
            return
        kind = event.get("type")
        limit = self._limits.get(kind)
        if limit is not None:
            if kind in self._held or self._clock() - self._sent.get(kind, -math.inf) < limit:
                if kind in self._held:
                    self.dropped += 1  # replaced unsent (latest wins); the reader's timer is armed
                else:
                    self._wake.set()  # newly held: the reader arms a timer for it
                self._held[kind] = event
                return
            self._sent[kind] = self._clock()
        elif kind not in COALESCE:
            self._release(due_only=False)  # an ordered event: what is held goes first
        self._append(event)

    def _release(self, due_only: bool = True) -> None:
        now = self._clock()
        for kind in list(self._held):
            if not due_only or now - self._sent.get(kind, -math.inf) >= self._limits[kind]:
                self._sent[kind] = now
                self._append(self._held.pop(kind))

    def _next_due(self) -> float | None:
        if not self._held:
            return None
        now = self._clock()
        return max(0.0, min(self._sent.get(k, -math.inf) + self._limits[k] - now for k in self._held))

    def _append(self, event: dict) -> None:
        kind = event.get("type")
        if kind in COALESCE:
            # Drop the pending one of the same type, looking back only to the
            # last ordered event so steps never jump over an epoch or status.
            for i in range(len(self._items) - 1, -1, -1):
                t = self._items[i].get("type")
                if t == kind:
                    del self._items[i]
                    break
                if t not in COALESCE:
                    break
        self._items.append(event)
        while len(self._items) > self._size:
            self._drop_one()
        self._wake.set()

    def _drop_one(self) -> None:
        # Oldest stale step/snapshot first, never the newest event.
        for i in range(len(self._items) - 1):
            if self._items[i].get("type") in COALESCE:
                del self._items[i]
                self.dropped += 1
                return
        self._items.popleft()
        self.dropped += 1

    def close(self) -> None:
        """No more events; the reader drains what is pending (held ones too), then stops."""
        self._release(due_only=False)
        self.closed = True
        self._wake.set()

    def __len__(self) -> int:
        return len(self._items)

    async def get(self):
        """The next event, or ``_CLOSED`` once closed and drained."""
        while True:
            self._release()
            if self._items:
                return self._items.popleft()
            if self.closed:
                return _CLOSED
            self._wake.clear()
            due = self._next_due()
            # A held event wakes the reader when due: a timer, not a task per wait.
            timer = asyncio.get_running_loop().call_later(due, self._wake.set) if due is not None else None
            try:
                await self._wake.wait()
            finally:
                if timer is not None:
                    timer.cancel()


class Channel:
    """All subscribers of one run plus the latest step/snapshot, which a new
    subscriber gets right after its ``state`` message."""

    def __init__(self, on_watchers: Callable[[int], None] | None = None):
        self.mailboxes: set[Mailbox] = set()
        self.latest: dict[str, dict] = {}
        self._on_watchers = on_watchers

    def publish(self, event: dict) -> None:
        if event.get("type") in COALESCE:
            self.latest[event["type"]] = event
        for box in self.mailboxes:
            box.put(event)

    def add(self) -> Mailbox:
        box = Mailbox(limits=RATE_LIMITS)
        for kind in ("step", "snapshot"):
            if kind in self.latest:
                box.put(self.latest[kind])
        self.mailboxes.add(box)
        if self._on_watchers:
            self._on_watchers(len(self.mailboxes))
        return box

    def remove(self, box: Mailbox) -> None:
        self.mailboxes.discard(box)
        if self._on_watchers:
            self._on_watchers(len(self.mailboxes))

    def close(self) -> None:
        for box in list(self.mailboxes):
            box.close()


class Hub:
    """run id -> Channel. ``on_watchers(run_id, n)`` is told when a run's
    subscriber count changes (the manager turns snapshots on/off with it)."""

    def __init__(self, on_watchers: Callable[[str, int], None] | None = None):
        self._channels: dict[str, Channel] = {}
        self._on_watchers = on_watchers

    def channel(self, run_id: str) -> Channel:
        ch = self._channels.get(run_id)
        if ch is None:
            notify = (lambda n, rid=run_id: self._on_watchers(rid, n)) if self._on_watchers else None
            ch = self._channels[run_id] = Channel(notify)
        return ch

    def publish(self, run_id: str, event: dict) -> None:
        ch = self._channels.get(run_id)
        if ch is not None:
            ch.publish(event)

    def watchers(self, run_id: str) -> int:
        ch = self._channels.get(run_id)
        return len(ch.mailboxes) if ch else 0

    def close(self, run_id: str, forget: bool = False) -> None:
        """End every subscription of a run (terminal status, deletion)."""
        ch = self._channels.get(run_id)
        if ch is not None:
            ch.close()
            if forget or not ch.mailboxes:
                ch.latest.clear()
            if forget:
                self._channels.pop(run_id, None)

    def close_all(self) -> None:
        for run_id in list(self._channels):
            self.close(run_id, forget=True)


async def subscription(hub: Hub, run_id: str,
                       first: Callable[[], Awaitable[dict]],
                       finished: Callable[[], bool]) -> AsyncGenerator[dict, None]:
    """Yield ``await first()`` (the state message), then the run's events until
    its channel closes. ``finished()`` says whether the run was already
    terminal when the state was taken: then nothing more will come.
    Callers that may stop early should close it (``contextlib.aclosing``) so
    the mailbox leaves the channel at once rather than at garbage collection."""
    # Join before taking the state, so nothing published meanwhile is lost
    # (at worst an event older than the state arrives right after it).
    ch = hub.channel(run_id)
    box = ch.add()
    try:
        yield await first()
        if finished():
            return
        while True:
            ev = await box.get()
            if ev is _CLOSED:
                return
            yield ev
    finally:
        ch.remove(box)
