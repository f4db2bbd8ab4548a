"""One lock per engine Model: a Model keeps per-call state (captured outputs,
reused work buffers), and the run manager shares one object between callers,
so two threadpool requests must not run the same model at once."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

_locks: weakref.WeakKeyDictionary[object, threading.Lock] = weakref.WeakKeyDictionary()
_guard = threading.Lock()

M = TypeVar("M")
P = ParamSpec("P")
R = TypeVar("R")


def lock_for(model: object) -> threading.Lock:
    with _guard:
        lock = _locks.get(model)
        if lock is None:
            lock = _locks[model] = threading.Lock()
        return lock


def run_locked(model: M, fn: Callable[Concatenate[M, P], R], *args: P.args, **kwargs: P.kwargs) -> R:
    """fn(model, *args, **kwargs) while holding the model's lock (call from a worker thread)."""
    with lock_for(model):
        return fn(model, *args, **kwargs)
