"""A bound on heavy request work at once: inspections (evaluation, decision
grid, unit views) and the heavier labs.

An inspection loads a dataset and pushes all its test samples through a
model: ten at once took the server to 3.9 GB. A lab trains a small model or
times a Python loop for up to a second of a core; a class clicking at once
would fill the threadpool every other request waits for. At most `slots` run
at a time (settings.max_inspections, settings.max_labs); up to `queue` more
wait their turn, and beyond that the request is refused with 429 and a
Retry-After.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playground.api.errors import ApiError

RETRY_AFTER_S = 2


class InspectionBusy(ApiError):
    def __init__(self, slots: int, queue: int, what: str = "evaluations", setting: str = "max_inspections"):
        super().__init__(429, f"the server is busy with {slots} {what} and {queue} waiting "
                              f"(the limit {setting}); retry in {RETRY_AFTER_S} s")
        self.headers = {"Retry-After": str(RETRY_AFTER_S)}


class InspectionGate:
    def __init__(self, slots: int, queue: int | None = None, what: str = "evaluations",
                 setting: str = "max_inspections"):
        self.slots = slots
        self.what, self.setting = what, setting   # for the 429's message
        # Waiting costs nothing but a coroutine: a class polling its 2-D grids queues,
        # only a flood (dozens at once) is refused.
        self.queue = 16 * slots if queue is None else queue
        self._sem: asyncio.Semaphore | None = None
        self.waiting = 0
        self.running = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        if self._sem is None:  # made on first use, inside the server's event loop
            self._sem = asyncio.Semaphore(self.slots)
        if self._sem.locked() and self.waiting >= self.queue:
            raise InspectionBusy(self.slots, self.waiting, self.what, self.setting)
        self.waiting += 1
        try:
            await self._sem.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._sem.release()
