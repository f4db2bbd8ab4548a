"""Training runs: worker processes, the SQLite run store, checkpoints, live streams.

The API uses ``RunManager`` (manager.py); its interface is documented in
protocol.py.
"""

from playground.runs.errors import (
    ConfigError,
    ModelImportError,
    ModelNotFound,
    QueueFull,
    RunNotFound,
    RunsError,
    RunStateError,
)
from playground.runs.manager import RunManager
from playground.runs.protocol import ACTIVE, STATUSES, TERMINAL, RunManagerProtocol

__all__ = [
    "ACTIVE",
    "STATUSES",
    "TERMINAL",
    "ConfigError",
    "ModelImportError",
    "ModelNotFound",
    "QueueFull",
    "RunManager",
    "RunManagerProtocol",
    "RunNotFound",
    "RunStateError",
    "RunsError",
]
