"""FairQueue: runs waiting for a worker, served round-robin by owner.

A plain FIFO lets the student who presses Start ten times take the next ten
workers while the rest of the room waits. Here each owner has a FIFO of their
own and the owners take turns: the next run to start is the oldest run of the
next owner in the rotation that may start one now (``can_start(owner)``, e.g.
"has fewer than N runs running"). An owner joins the rotation at its end when
their first run arrives and leaves it when their last run has started.

``order()`` is the projected service order (round-robin, ignoring who may
start right now), which is what queue positions report.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Iterator


class FairQueue:
    def __init__(self) -> None:
        # owner -> their waiting run ids, oldest first; dict order is the rotation.
        self._lanes: OrderedDict[str, deque[str]] = OrderedDict()
        self._owner: dict[str, str] = {}

    def append(self, run_id: str, owner: str) -> None:
        self._owner[run_id] = owner
        self._lanes.setdefault(owner, deque()).append(run_id)

    def remove(self, run_id: str) -> None:
        owner = self._owner.pop(run_id)
        lane = self._lanes[owner]
        lane.remove(run_id)
        if not lane:
            del self._lanes[owner]

    def pop_next(self, can_start: Callable[[str], bool] = lambda owner: True) -> str | None:
        """The next run to start, or None when no waiting owner may start one.
        The owner served goes to the end of the rotation."""
        for owner in list(self._lanes):
            if not can_start(owner):
                continue
            lane = self._lanes.pop(owner)
            run_id = lane.popleft()
            del self._owner[run_id]
            if lane:
                self._lanes[owner] = lane  # back in at the end: the others go first
            return run_id
        return None

    def owner_of(self, run_id: str) -> str | None:
        return self._owner.get(run_id)

    def count(self, owner: str) -> int:
        lane = self._lanes.get(owner)
        return len(lane) if lane else 0

    def order(self) -> list[str]:
        """Every waiting run in the order the rotation would start them."""
        lanes = [list(lane) for lane in self._lanes.values()]
        out: list[str] = []
        depth = 0
        while True:
            row = [lane[depth] for lane in lanes if depth < len(lane)]
            if not row:
                return out
            out.extend(row)
            depth += 1

    def position(self, run_id: str) -> int | None:
        """1-based projected position, None when not waiting."""
        if run_id not in self._owner:
            return None
        return self.order().index(run_id) + 1

    def clear(self) -> None:
        self._lanes.clear()
        self._owner.clear()

    def __contains__(self, run_id: object) -> bool:
        return run_id in self._owner

    def __len__(self) -> int:
        return len(self._owner)

    def __iter__(self) -> Iterator[str]:
        return iter(self.order())

    def __bool__(self) -> bool:
        return bool(self._owner)
