"""Training runs: worker processes, the SQLite run store, checkpoints, live streams.

The API uses ``RunManager``; its interface is documented in protocol.py.

    manager.py     RunManager: wires the parts below; create/read, delete, metrics, streams, models
    run_queue.py   RunQueue: the fair waiting line, runs holding workers, capacity and shares
    run_records.py RunRecords: the runs' records, active ones in memory ahead of the store
    lifecycle.py   Lifecycle: starting runs, folding worker messages in, finishing runs
    controls.py    RunControls: pause / resume / stop / step / update / speed / snapshot requests
    executor.py    where runs execute: local worker processes, or Ray actors (ray_executor.py)
    config.py      checking a run config before queueing it (engine RunConfig + check_fit)
    flusher.py     StoreFlusher: the store's staged rows written a few times a second
    records.py     run records: creation, updates from worker messages, public form
    supervisor.py  one worker process and the thread reading its pipe
    worker.py      the child process: model, data, Trainer, throttled events
    worker_checkpoints.py  the worker's latest / best checkpoints
    snapshot_extras.py     filter images and unit views added to snapshots
    throttle.py    step events aggregated to ~20/s
    events.py      typed worker events and Job; to_json, the one encoder from worker to websocket
    stream.py      latest-state mailboxes fanning events out to subscribers
    store.py       SQLite (WAL) with staged, batched writes
    checkpoints.py npz + JSON checkpoints, swapped in atomically
    models.py      Models for predict (cached), export, imported models, a new run's initial weights
    export.py      the export zip: writing and checked reading
    errors.py      what the API maps to 404 / 409 / 422 / 429 / 507
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
