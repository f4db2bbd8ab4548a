"""Run events: their shapes (and a worker's Job), and the one encoder from worker to websocket.

An event is made by the Trainer (engine/train.py) or the worker, crosses the
process boundary as JSON text (``Connection.send_bytes``, never a pickle), is
folded into the run record by the manager (lifecycle.py) and goes to every
viewer of the run as a websocket text message (api/routers/ws.py). Each hop
uses ``to_json`` below: NaN and infinities (a diverging loss) become null,
NumPy scalars and arrays become numbers and lists (viz/json_safe.py, one rule).

The TypedDicts say what each message holds; docs/api.md describes the ones a
viewer sees. ``ts`` is stamped where an event is made (``stamp``).
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal, TypedDict

from playground.engine import train_events
from playground.viz.json_safe import finite

# -- worker -> manager (and, except reply/error/final/started/checkpoint, -> viewers) --


class StartedEvent(TypedDict):
    type: Literal["started"]
    total_steps: int
    steps_per_epoch: int
    step: int
    epoch: int
    pid: int
    blas_threads: int | None


# The Trainer's events (engine/train_events.py) as they leave the worker: each
# stamped with ``ts``; steps aggregated by runs/throttle.py; snapshots with
# filter images and unit views (snapshot_extras.py), ``final`` for the weights
# as the run ended and ``keep`` for one the store keeps whatever its time gap.
class StepEvent(train_events.StepEvent, total=False):
    loss_mean: float | None
    accuracy_mean: float | None
    steps: int
    steps_per_s: float
    ts: float


class EpochEvent(train_events.EpochEvent, total=False):
    ts: float


class StatusEvent(train_events.StatusEvent, total=False):
    ts: float  # status values: runs/protocol.py STATUSES


class SnapshotEvent(train_events.SnapshotEvent, total=False):
    units: dict[str, Any]
    decision: dict[str, Any]
    final: bool
    keep: bool
    stream: bool  # False: for the store only, never published to viewers
    ts: float


class EvalEvent(train_events.EvalEvent, total=False):
    ts: float


class DoneEvent(train_events.DoneEvent, total=False):
    ts: float


class CheckpointEvent(TypedDict, total=False):
    type: Literal["checkpoint"]
    kind: Literal["latest", "best"]
    step: int
    epoch: int
    best_val_loss: float | None
    val_loss: float | None
    ts: float


class ReplyEvent(TypedDict, total=False):
    """The answer to an ``update`` command; ``setting`` names a refused setting."""

    type: Literal["reply"]
    id: str | None
    ok: bool
    error: str | None
    setting: str | None
    settings: dict[str, Any]
    ts: float


class ErrorEvent(TypedDict, total=False):
    type: Literal["error"]
    message: str
    traceback: str
    ts: float


class FinalEvent(TypedDict, total=False):
    type: Literal["final"]
    final: dict[str, Any]
    shutdown: bool
    ts: float


WorkerEvent = (StartedEvent | StepEvent | EpochEvent | StatusEvent | SnapshotEvent | EvalEvent | DoneEvent
               | CheckpointEvent | ReplyEvent | ErrorEvent | FinalEvent)
# Events that reach viewers (besides the manager's "state" that opens each stream).
STREAMED = ("step", "epoch", "status", "snapshot", "eval", "done")


class Command(TypedDict, total=False):
    """manager -> worker: pause, resume, step (n), stop, update (settings, id),
    speed (rate), snapshot, watch (on), shutdown."""

    cmd: Literal["pause", "resume", "step", "stop", "update", "speed", "snapshot", "watch", "shutdown"]
    n: int
    settings: dict[str, Any]
    id: str
    rate: float | None
    on: bool


class Job(TypedDict, total=False):
    """What a worker is started with (lifecycle.launch -> worker.main, as JSON).
    The intervals and BLAS threads come from the server's Settings (manager.py),
    ``config`` is the run record's training settings (engine/run_config.py)."""

    run_id: str
    home: str
    data_dir: str | None
    spec: dict[str, Any]
    dataset: str
    dataset_params: dict[str, Any]
    config: dict[str, Any]
    initial_weights_path: str | None
    resume: bool
    best_val_loss: float | None
    watched: bool
    blas_threads: int
    step_interval: float  # Settings.step_event_interval_s
    snapshot_interval: float  # Settings.snapshot_interval_s
    snapshot_idle_interval: float  # Settings.snapshot_idle_interval_s
    checkpoint_interval: float  # Settings.checkpoint_interval_s


# -- the encoder ------------------------------------------------------------------


def to_json(event: Any) -> str:
    """An event (or command) as compact, strictly valid JSON text. Most events are
    plain already and go straight through; one with NaN, infinities or NumPy values
    is cleaned first (viz/json_safe.py)."""
    try:
        return json.dumps(event, separators=(",", ":"), allow_nan=False)
    except (ValueError, TypeError):
        return json.dumps(finite(event), separators=(",", ":"), allow_nan=False)


def encode(msg: Any) -> bytes:
    """``to_json`` as bytes for the pipe (Connection.send_bytes)."""
    return to_json(msg).encode()


def decode(data: bytes) -> dict:
    return json.loads(data)


def stamp(event: Any) -> Any:
    """The ``ts`` every event carries (docs/api.md): when it was produced."""
    if "ts" not in event:
        event["ts"] = time.time()
    return event
