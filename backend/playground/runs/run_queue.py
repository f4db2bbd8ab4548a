"""RunQueue: who waits for a worker, who holds one, and who may ask for more.

One part of the run manager (manager.py), on the event loop thread only:

- ``waiting``: the fair queue (fair_queue.py), turns by owner;
- ``running``: runs holding a worker (running or paused), with their owners;
- reservations: a create or resume past the checks whose store write is still
  in flight counts as waiting, so concurrent requests cannot all pass;
- the checks: the server's capacity (workers + queue places; QueueFull) and a
  limited owner's share (running + waiting; UserLimit).

``capacity()`` is asked each time: on Ray the cluster's CPUs change as nodes join.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from playground.runs.errors import QueueFull, RunStateError, UserLimit
from playground.runs.fair_queue import FairQueue
from playground.runs.owner import Owner, limited


class RunQueue:
    def __init__(self, capacity: Callable[[], int], max_queue: int, max_running_per_user: int,
                 max_queued_per_user: int):
        self.capacity = capacity
        self.max_queue = max_queue
        self.max_running_per_user = max_running_per_user
        self.max_queued_per_user = max_queued_per_user
        self.waiting = FairQueue()
        self._running: dict[str, str] = {}  # run id -> owner id
        self._reserved: dict[str, str] = {}  # run id -> owner id

    # -- checks ------------------------------------------------------------------------

    def running_of(self, owner_id: str) -> int:
        return sum(1 for o in self._running.values() if o == owner_id)

    def may_start(self, owner_id: str) -> bool:
        """A limited owner starts a run only below their running share."""
        return not limited(owner_id) or self.running_of(owner_id) < self.max_running_per_user

    def _check_share(self, owner: Owner) -> None:
        if not owner.limited:
            return
        running = self.running_of(owner.id)
        waiting = self.waiting.count(owner.id) + sum(1 for o in self._reserved.values() if o == owner.id)
        if running + waiting >= self.max_running_per_user + self.max_queued_per_user:
            raise UserLimit(
                f"you have {running} run(s) running and {waiting} waiting, the most one session may have "
                f"(limit: {self.max_running_per_user} running + {self.max_queued_per_user} queued, "
                f"PLAYGROUND_MAX_RUNS_PER_USER / PLAYGROUND_MAX_QUEUED_PER_USER); stop or delete one, "
                f"or retry when one of them finishes")

    def _check_capacity(self) -> None:
        waiting = len(self.waiting) + len(self._reserved)
        workers = self.capacity()
        if len(self._running) + waiting >= workers + self.max_queue:
            raise QueueFull(f"all {workers} workers are busy and {waiting} runs are waiting (the limit); "
                            f"try again when a run finishes")

    @contextmanager
    def reserve(self, run_id: str, owner: Owner) -> Iterator[None]:
        """Hold a place for a run being created or resumed (its store write is
        in flight); the caller enqueues it before leaving the block."""
        if run_id in self._reserved:
            raise RunStateError(f"run '{run_id}' is being resumed already")
        self._check_share(owner)
        self._check_capacity()
        self._reserved[run_id] = owner.id
        try:
            yield
        finally:
            self._reserved.pop(run_id, None)

    # -- moves -------------------------------------------------------------------------

    def enqueue(self, run_id: str, owner_id: str) -> None:
        self.waiting.append(run_id, owner_id)

    def start_next(self) -> str | None:
        """The next run to start (now counted as running), or None: no free worker,
        nobody waiting, or every waiting owner at their share."""
        if len(self._running) >= self.capacity():
            return None
        picked = self.waiting.pop_next(self.may_start)
        if picked is None:
            return None
        run_id, owner = picked
        self._running[run_id] = owner
        return run_id

    def start_failed(self, run_id: str) -> None:
        self._running.pop(run_id, None)

    def done(self, run_id: str) -> None:
        """The run no longer holds a worker (ended, deleted), or no longer waits."""
        self._running.pop(run_id, None)
        if run_id in self.waiting:
            self.waiting.remove(run_id)

    # -- reading -----------------------------------------------------------------------

    def is_waiting(self, run_id: str) -> bool:
        return run_id in self.waiting

    def position(self, run_id: str) -> int | None:
        return self.waiting.position(run_id)

    def counts(self) -> dict:
        return {"active": len(self._running), "queued": len(self.waiting)}
