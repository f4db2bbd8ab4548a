"""StoreFlusher: writes the run store's staged rows a few times a second, off
the event loop; a store that keeps failing (a full disk) fails the training
runs rather than stage their points forever. One part of the run manager."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from playground.runs.run_records import RunRecords

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.5


class StoreFlusher:
    def __init__(self, records: RunRecords, grace_s: float):
        self.records = records
        self.grace_s = grace_s  # failing this long ends the training runs as failed
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is None:
            return
        self._task.cancel()
        # Some test harnesses shut down from another loop than start's: then
        # the task cannot be awaited here, and it stops on its own (store None).
        if self._task.get_loop() is asyncio.get_running_loop():
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        failing_since = None
        while self.records.store is not None:
            await asyncio.sleep(FLUSH_INTERVAL_S)
            store = self.records.store
            if store is None:
                return
            try:
                await asyncio.to_thread(store.flush)
                failing_since = None
            except Exception as exc:  # a failed flush must not end the loop; the next one retries
                log.exception("flushing the run store failed")
                # The points stay staged (store.py) until the grace runs out.
                failing_since = failing_since or time.monotonic()
                if time.monotonic() - failing_since >= self.grace_s:
                    self._fail_running(f"the server cannot save this run's metrics ({exc})")

    def _fail_running(self, reason: str) -> None:
        """End every training run as failed with ``reason`` (its worker is killed;
        the lifecycle's on_exit finalizes it with a.error)."""
        for a in list(self.records.active.values()):
            if a.handle is not None and not a.deleting and a.error is None:
                a.error = reason
                a.handle.kill()
