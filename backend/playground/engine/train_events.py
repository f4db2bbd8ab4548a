"""The Trainer's events: what ``on_event`` receives (engine/train.py), all JSON-ready.

``step`` counts finished optimizer steps (1-based in events); ``epoch`` counts
finished epochs. Accuracy is None for regression (mse). The run worker
forwards these (step events aggregated, snapshots with images added: see
runs/events.py) and the websocket sends them on (docs/api.md).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict


class Metrics(TypedDict):
    loss: float | None
    accuracy: float | None


class StepEvent(TypedDict):
    """Every ``log_every`` steps."""

    type: Literal["step"]
    step: int
    epoch: int
    loss: float
    accuracy: float | None
    lr: float


class EpochEvent(TypedDict):
    type: Literal["epoch"]
    epoch: int
    step: int
    train: Metrics
    val: Metrics | None  # None without a validation split


class StatusEvent(TypedDict):
    type: Literal["status"]
    status: str  # "running" | "paused" | "finished" | "stopped" | "diverged"
    message: str


class SnapshotEvent(TypedDict):
    type: Literal["snapshot"]
    step: int
    layers: list[dict[str, Any]]  # engine/snapshot.py


class EvalEvent(TypedDict):
    """At the end of the run, for the validation and the test split (engine/evaluation.py)."""

    type: Literal["eval"]
    split: Literal["val", "test"]
    loss: float | None
    accuracy: float | None
    per_class_accuracy: list[float | None] | None
    confusion: list[list[int]] | None
    misclassified: list[int] | None


class DoneEvent(TypedDict):
    """The last event: ``run()``'s final summary."""

    type: Literal["done"]
    status: str
    message: str
    steps: int
    epochs: int
    seconds: float
    train: Metrics | None
    val: Metrics | None
    test: dict[str, Any] | None  # the test split's full evaluation


TrainerEvent = StepEvent | EpochEvent | StatusEvent | SnapshotEvent | EvalEvent | DoneEvent
