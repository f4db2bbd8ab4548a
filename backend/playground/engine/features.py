"""Input features of a 2-D point, as TensorFlow Playground offers them.

A network that sees x1^2 and x2^2 separates the circle set with one straight
line in that space; one that sees only x1 and x2 needs hidden units to bend its
boundary. FEATURES is the one table: the `features` layer (layers.py) takes a
bool parameter per name, spec.py counts its outputs, and the page labels its
checkboxes and the network drawing's input column from it.

    features(x, ("x1", "x2", "x1_sq")) : x (N, 2) -> (N, 3)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

# name -> (label, what it computes from the point (x1, x2))
FEATURES: dict[str, tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "x1": ("x\u2081", lambda a, b: a),
    "x2": ("x\u2082", lambda a, b: b),
    "x1_sq": ("x\u2081\u00b2", lambda a, b: a * a),
    "x2_sq": ("x\u2082\u00b2", lambda a, b: b * b),
    "x1x2": ("x\u2081x\u2082", lambda a, b: a * b),
    "sin_x1": ("sin(x\u2081)", lambda a, b: np.sin(a)),
    "sin_x2": ("sin(x\u2082)", lambda a, b: np.sin(b)),
}
DEFAULT_ON = ("x1", "x2")


def selected(config: dict[str, Any]) -> tuple[str, ...]:
    """The names a `features` layer config turns on, in table order."""
    return tuple(name for name in FEATURES if config.get(name))


def features(x: np.ndarray, names: Iterable[str]) -> np.ndarray:
    """x: (N, 2) points -> (N, len(names)) feature columns, in the order given."""
    a, b = x[:, 0], x[:, 1]
    return np.stack([FEATURES[n][1](a, b) for n in names], axis=1).astype(x.dtype, copy=False)
