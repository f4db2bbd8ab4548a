"""Fan-out of a run's live events to many subscribers, latest-state style.

Each subscriber owns a ``Mailbox``: a short deque where a new ``step`` or
``snapshot`` event replaces the undelivered one of the same type (since the
last ordered event), while ``epoch``/``status``/``eval``/``done`` keep their
order. A slow reader therefore skips intermediate steps instead of growing a
backlog, and publishing is O(mailbox) on the event loop: it never waits on a
reader, so it never slows training. Everything here runs on the event loop
thread (no locks).
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import AsyncIterator, Awaitable, Callable

# Newer replaces older while undelivered.
COALESCE = frozenset({"step", "snapshot"})
# Ordered events kept per mailbox; beyond this the oldest are dropped (a reader
# this far behind only needs the present; the "state" it got on connect and the
# REST history fill the gap).
MAILBOX_SIZE = 64

_CLOSED = object()


class Mailbox:
    def __init__(self, size: int = MAILBOX_SIZE):
        self._items: deque = deque()
        self._size = size
        self._wake = asyncio.Event()
        self.closed = False
        self.dropped = 0

    def put(self, event: dict) -> None:
        if self.closed:
            return
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
        """No more events; the reader drains what is pending, then stops."""
        self.closed = True
        self._wake.set()

    def __len__(self) -> int:
        return len(self._items)

    async def get(self):
        """The next event, or ``_CLOSED`` once closed and drained."""
        while not self._items:
            if self.closed:
                return _CLOSED
            self._wake.clear()
            await self._wake.wait()
        return self._items.popleft()


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
        box = Mailbox()
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
                       finished: Callable[[], bool]) -> AsyncIterator[dict]:
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
