"""Biased training data: keep only a fraction of some classes' training samples.

    x, y = keep_class_fractions(x_train, y_train, {8: 0.02}, rng)   # 2% of the 8s

Used by `registry.load_dataset(..., class_fractions=...)` on the training split
only, so validation and test still hold every class as often as the file does:
the per-class test accuracy then shows what a model learns from a set where one
group is rare (course notes, "Morals of AI / Gender Shades").
"""

from __future__ import annotations

import numpy as np


class ClassFractionError(ValueError):
    """A bad class_fractions entry; `key` is the entry as given (for a field path)."""

    def __init__(self, message: str, key: object):
        super().__init__(message)
        self.key = key


def _as_class(key: object) -> int | None:
    # JSON objects have string keys ("8"); Python callers pass ints.
    if isinstance(key, (bool, np.bool_)):
        return None
    if isinstance(key, (int, np.integer)):
        return int(key)
    if isinstance(key, str) and key.strip().isdigit():
        return int(key.strip())
    return None


def check_class_fractions(fractions: object, num_classes: int | None) -> dict[int, float]:
    """Validate {class label: keep fraction} -> {int class: float fraction}.

    num_classes: the dataset's class count (0 = regression, refused); None when
    unknown (only the form of each entry is checked). Fractions lie in (0, 1].
    """
    if fractions is None:
        return {}
    if not isinstance(fractions, dict):
        raise ClassFractionError("class_fractions must be an object: class label -> fraction", None)
    if num_classes == 0:
        raise ClassFractionError("class_fractions needs a classification dataset; this one is regression",
                                 next(iter(fractions), None))
    out: dict[int, float] = {}
    for key, value in fractions.items():
        label = _as_class(key)
        if label is None or (num_classes is not None and not 0 <= label < num_classes):
            span = f"0..{num_classes - 1}" if num_classes else "a non-negative integer"
            raise ClassFractionError(f"class_fractions: class {key!r} is not a class of this dataset "
                                     f"(labels are {span})", key)
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise ClassFractionError(f"class_fractions: the fraction of class {key} must be a number", key)
        value = float(value)
        if not 0.0 < value <= 1.0:
            raise ClassFractionError(f"class_fractions: the fraction of class {key} must be in (0, 1], "
                                     f"got {value}", key)
        out[label] = value
    return out


def keep_class_fractions(x: np.ndarray, y: np.ndarray, fractions: dict[int, float],
                         rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Keep max(1, round(n_c * f)) random samples of each listed class c (all others).

    The kept samples stay in file order. Classes are visited in sorted order so
    the same seed and fractions always keep the same samples.
    """
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} samples but y has {len(y)}")
    if not fractions or all(f >= 1.0 for f in fractions.values()):
        return x, y
    keep = np.ones(len(y), dtype=bool)
    for label in sorted(fractions):
        idx = np.flatnonzero(y == label)
        if len(idx) == 0:
            continue
        n_keep = max(1, int(round(len(idx) * fractions[label])))
        chosen = rng.choice(len(idx), size=n_keep, replace=False)
        drop = np.ones(len(idx), dtype=bool)
        drop[chosen] = False
        keep[idx[drop]] = False
    return x[keep], y[keep]
