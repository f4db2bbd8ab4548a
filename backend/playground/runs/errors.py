"""Errors raised by the run manager; the API maps each to one HTTP status.

RunNotFound / ModelNotFound -> 404, RunStateError -> 409, QueueFull -> 429,
ConfigError and ModelImportError are ValueErrors -> 422 (ModelImportError: 400
when the zip itself is unreadable, see its ``unreadable`` flag).
"""


import errno
import re
import sqlite3

from playground.engine.run_config import RunConfigError

# An absolute path of two or more parts ("/srv/.playground/uploads/ab12.npz").
_ABS_PATH = re.compile(r"(?<![\w.~/])/(?:[^\s/'\":,;()\[\]]+/)+([^\s/'\":,;()\[\]]*)")


def without_paths(message: str) -> str:
    """``message`` with every absolute path cut to its last part: where the
    server keeps its files is no business of the page (or of a classmate)."""
    return _ABS_PATH.sub(lambda m: m.group(1) or "the server's files", message)


def is_disk_full(exc: BaseException) -> bool:
    """ENOSPC/EDQUOT from the OS, or SQLite's "database or disk is full"."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, sqlite3.OperationalError) and "full" in str(exc)


class RunsError(Exception):
    """Base class of everything this package raises on purpose."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RunNotFound(RunsError, LookupError):
    """No run with that id (never created, or deleted / pruned)."""

    def __init__(self, run_id: str):
        super().__init__(f"run '{run_id}' not found")
        self.run_id = run_id


class ModelNotFound(RunsError, LookupError):
    """No imported model with that id."""

    def __init__(self, model_id: str):
        super().__init__(f"model '{model_id}' not found")
        self.model_id = model_id


class RunStateError(RunsError):
    """The action is impossible in the run's current status (pause a finished
    run, predict with a run that has no weights yet, ...)."""

    def __init__(self, message: str, status: str | None = None):
        super().__init__(message)
        self.status = status


class QueueFull(RunsError):
    """All worker slots are busy and the waiting queue holds max_queue runs."""


class UserLimit(RunsError):
    """One session already has its share of runs (running + queued); -> 429."""


class ConfigError(RunConfigError, RunsError):
    """A run configuration the engine would refuse; ``field`` names the key at
    fault as a path (e.g. ``("spec", "layers", 3, "kernel_size")``). The engine's
    RunConfigError with the manager's own cases (weights, names, ids) beside it."""


class ModelImportError(RunsError, ValueError):
    """An export zip that cannot be imported. ``unreadable`` is True when the
    file is not a zip of the expected members (400), False when the members are
    there but do not fit together (422: bad spec, weights not matching)."""

    def __init__(self, message: str, unreadable: bool = False):
        super().__init__(message)
        self.unreadable = unreadable


class StorageFull(RunsError):
    """The server's disk (or its quota) is full: nothing was kept (507)."""

    def __init__(self, what: str):
        super().__init__(f"the server's disk is full: {what} could not be saved; "
                         "nothing was kept, try again when space is freed")
