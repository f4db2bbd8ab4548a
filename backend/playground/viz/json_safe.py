"""JSON has no NaN or infinity: the one place that turns them into null.

A diverging run or lab (a huge learning rate) makes them, and its numbers must
still reach the page. Also unwraps NumPy arrays and scalars, so a worker's
events, a lab's answer and a websocket message all go through the same rule.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def finite(obj: Any) -> Any:
    """The same nested dicts/lists with NaN and +-inf as None (dict keys as str)."""
    if isinstance(obj, dict):
        return {str(k): finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return finite(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj
