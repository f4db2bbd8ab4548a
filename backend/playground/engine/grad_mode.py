"""Grad mode: whether ops record the graph, per thread (like PyTorch's).

Tensor.from_op asks is_grad_enabled() on every op; evaluation and the
visualizers run inside ``no_grad()`` so that they build no graph."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

_state = threading.local()


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` in this thread."""
    return getattr(_state, "enabled", True)


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Context manager (also usable as a decorator): record no graph inside."""
    previous = is_grad_enabled()
    _state.enabled = False
    try:
        yield
    finally:
        _state.enabled = previous
