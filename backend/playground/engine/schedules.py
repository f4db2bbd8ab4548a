"""Learning-rate schedules: the LR_SCHEDULES table.

A schedule maps training progress ``t`` in [0, 1] (finished steps / total
steps) to a factor of the base learning rate, so a student's live change of
``lr`` rescales the whole rest of the schedule instead of being overwritten.

- constant: 1
- step:     1 until half way, 0.1 until three quarters, then 0.01
- cosine:   0.5 * (1 + cos(pi * t)), from 1 down to 0 (Loshchilov & Hutter, SGDR)
"""
from __future__ import annotations

import math
from collections.abc import Callable


def constant(t: float) -> float:
    return 1.0


def step(t: float) -> float:
    return 1.0 if t < 0.5 else 0.1 if t < 0.75 else 0.01


def cosine(t: float) -> float:
    return 0.5 * (1.0 + math.cos(math.pi * min(max(t, 0.0), 1.0)))


LR_SCHEDULES = {"constant": constant, "step": step, "cosine": cosine}


def get_schedule(name: str) -> Callable[[float], float]:
    """LR_SCHEDULES[name]; ValueError names the choices."""
    try:
        return LR_SCHEDULES[name]
    except KeyError:
        raise ValueError(f"unknown lr_schedule {name!r}; choose one of {sorted(LR_SCHEDULES)}") from None
