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

from playground.viz.json_safe import finite

# -- worker -> manager (and, except reply/error/final/started/checkpoint, -> viewers) --


class Metrics(TypedDict):
    loss: float | None
    accuracy: float | None


class StartedEvent(TypedDict):
    type: Literal["started"]
    total_steps: int
    steps_per_epoch: int
    step: int
    epoch: int
    pid: int
    blas_threads: int | None


class StepEvent(TypedDict, total=False):
    """The Trainer's step event, aggregated by runs/throttle.py (loss_mean,
    accuracy_mean and steps_per_s over ``steps`` steps)."""

    type: Literal["step"]
    step: int
    epoch: int
    loss: float | None
    accuracy: float | None
    lr: float
    loss_mean: float | None
    accuracy_mean: float | None
    steps: int
    steps_per_s: float
    ts: float


class EpochEvent(TypedDict, total=False):
    type: Literal["epoch"]
    epoch: int
    step: int
    train: Metrics
    val: Metrics | None
    ts: float


class StatusEvent(TypedDict, total=False):
    type: Literal["status"]
    status: str  # runs/protocol.py STATUSES
    message: str
    ts: float


class SnapshotEvent(TypedDict, total=False):
    """engine/snapshot.py's layers, with the worker's filter images and unit views;
    ``final``: the weights as the run ended; ``keep``: the store keeps it."""

    type: Literal["snapshot"]
    step: int
    layers: list[dict[str, Any]]
    units: dict[str, Any]
    decision: dict[str, Any]
    final: bool
    keep: bool
    ts: float


class EvalEvent(TypedDict, total=False):
    type: Literal["eval"]
    split: Literal["val", "test"]
    loss: float | None
    accuracy: float | None
    per_class_accuracy: list[float | None] | None
    confusion: list[list[int]] | None
    misclassified: list[int] | None
    ts: float


class DoneEvent(TypedDict, total=False):
    type: Literal["done"]
    status: str
    message: str
    steps: int
    epochs: int
    seconds: float
    train: Metrics | None
    val: Metrics | None
    test: dict[str, Any] | None
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
