"""Loss sparklines for the class page: a few dozen points per run, cheap to send.

Active runs add their step events' mean loss as they come; when a trace
reaches its size, every second point goes (the first and the newest stay), so
a trace always spans the whole run at about even spacing. Finished runs are
read once from the metric history and kept (a bounded LRU: they no longer
change).
"""

from __future__ import annotations

import math
from collections import OrderedDict

POINTS = 48
KEPT_RUNS = 1024


class LossTraces:
    def __init__(self, points: int = POINTS, kept: int = KEPT_RUNS):
        self.points = points
        self.kept = kept
        self._traces: OrderedDict[str, list[float]] = OrderedDict()

    def add(self, run_id: str, loss) -> None:
        if not isinstance(loss, (int, float)) or not math.isfinite(loss):
            return
        trace = self._traces.setdefault(run_id, [])
        trace.append(round(float(loss), 5))
        if len(trace) >= 2 * self.points:
            trace[:] = trace[:-1:2] + trace[-1:]
        self._trim()

    def get(self, run_id: str) -> list[float] | None:
        trace = self._traces.get(run_id)
        if trace is None:
            return None
        self._traces.move_to_end(run_id)
        if len(trace) <= self.points:
            return list(trace)
        stride = (len(trace) - 1) / (self.points - 1)
        return [trace[round(i * stride)] for i in range(self.points)]

    def put(self, run_id: str, losses: list[float]) -> None:
        self._traces[run_id] = [round(float(v), 5) for v in losses
                                if isinstance(v, (int, float)) and math.isfinite(v)]
        self._trim()

    def forget(self, run_id: str) -> None:
        self._traces.pop(run_id, None)

    def _trim(self) -> None:
        while len(self._traces) > self.kept:
            self._traces.popitem(last=False)
