"""StepThrottle aggregates per-step events by time."""

from playground.runs.throttle import StepThrottle


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_aggregates_with_means_and_rate():
    clock = Clock()
    th = StepThrottle(0.05, clock=clock)
    out = []
    for step in range(1, 1001):
        clock.t += 0.001  # 1000 steps/s
        ev = th.add({"type": "step", "step": step, "loss": float(step), "accuracy": 0.5})
        if ev:
            out.append(ev)
    assert 18 <= len(out) <= 21
    first = out[0]
    assert first["steps"] == 50 and first["step"] == 50
    assert abs(first["loss_mean"] - 25.5) < 1e-9 and first["accuracy_mean"] == 0.5
    assert abs(first["steps_per_s"] - 1000) < 1
    last = th.flush()
    assert last is None or last["step"] == 1000
    assert th.flush() is None


def test_flush_gives_pending_step():
    th = StepThrottle(10.0)
    assert th.add({"type": "step", "step": 1, "loss": None}) is None
    ev = th.flush()
    assert ev["step"] == 1 and ev["loss_mean"] is None and ev["steps"] == 1
