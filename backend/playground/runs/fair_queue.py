"""FairQueue: runs waiting for a worker, served round-robin by owner.

A plain FIFO lets the student who presses Start ten times take the next ten
workers while the rest of the room waits. Here each owner has a FIFO of their
own and the owners take turns: the next run to start is the oldest run of the
waiting owner whose last start is longest ago (never: first; ties: who came
first) among those who may start one now (``can_start(owner)``, e.g. "has
fewer than N runs running"). Every start counts as a turn, also one that
went straight to a free worker, so pressing Start early and often does not
keep an owner at the front.

``order()`` is the projected service order (turns taken in that rule,
ignoring who may start right now), which is what queue positions report.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Iterator

# Owners whose last turn is remembered; the oldest memories go first (an owner
# forgotten is treated as never served, which only helps them once).
REMEMBERED = 10_000


class FairQueue:
    def __init__(self) -> None:
        # owner -> their waiting run ids, oldest first; dict order is arrival order.
        self._lanes: OrderedDict[str, deque[str]] = OrderedDict()
        self._owner: dict[str, str] = {}
        self._served: OrderedDict[str, int] = OrderedDict()  # owner -> turn of their last start
        self._turn = 0
        self._positions: dict[str, int] | None = None  # order() as run -> 1-based place, until a change

    def append(self, run_id: str, owner: str) -> None:
        self._positions = None
        self._owner[run_id] = owner
        self._lanes.setdefault(owner, deque()).append(run_id)

    def remove(self, run_id: str) -> None:
        self._positions = None
        owner = self._owner.pop(run_id)
        lane = self._lanes[owner]
        lane.remove(run_id)
        if not lane:
            del self._lanes[owner]

    def _rank(self, owners, served: dict[str, int]) -> list[str]:
        arrival = {owner: i for i, owner in enumerate(self._lanes)}
        return sorted(owners, key=lambda o: (served.get(o, -1), arrival[o]))

    def pop_next(self, can_start: Callable[[str], bool] = lambda owner: True) -> tuple[str, str] | None:
        """(the next run to start, its owner), or None when no waiting owner may start one."""
        for owner in self._rank(self._lanes, self._served):
            if not can_start(owner):
                continue
            self._positions = None
            lane = self._lanes[owner]
            run_id = lane.popleft()
            del self._owner[run_id]
            if not lane:
                del self._lanes[owner]
            self._turn += 1
            self._served[owner] = self._turn
            self._served.move_to_end(owner)
            while len(self._served) > REMEMBERED:
                self._served.popitem(last=False)
            return run_id, owner
        return None

    def owner_of(self, run_id: str) -> str | None:
        return self._owner.get(run_id)

    def count(self, owner: str) -> int:
        lane = self._lanes.get(owner)
        return len(lane) if lane else 0

    def order(self) -> list[str]:
        """Every waiting run in the order the turns would start them."""
        lanes = {owner: deque(lane) for owner, lane in self._lanes.items()}
        served = dict(self._served)
        turn = self._turn
        out: list[str] = []
        while lanes:
            owner = self._rank(lanes, served)[0]
            out.append(lanes[owner].popleft())
            if not lanes[owner]:
                del lanes[owner]
            turn += 1
            served[owner] = turn
        return out

    def position(self, run_id: str) -> int | None:
        """1-based projected position, None when not waiting."""
        if run_id not in self._owner:
            return None
        if self._positions is None:
            self._positions = {r: i + 1 for i, r in enumerate(self.order())}
        return self._positions[run_id]

    def clear(self) -> None:
        self._positions = None
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
