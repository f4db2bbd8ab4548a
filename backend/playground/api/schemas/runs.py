"""Runs: the create request, controls, the run record and metric pages.

Static bounds live here; bounds that come from settings (max epochs, batch
size, ...) are checked in the router so tests can change them per app.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from playground.engine.optim import OPTIMIZERS
from playground.engine.schedules import LR_SCHEDULES
from playground.runs.protocol import ACTIVE, MODEL_ID_PATTERN, RUN_ID_PATTERN, TERMINAL

OptimizerName = Literal[tuple(sorted(OPTIMIZERS))]  # type: ignore[valid-type]
ScheduleName = Literal[tuple(sorted(LR_SCHEDULES))]  # type: ignore[valid-type]
RunStatus = Literal[ACTIVE + TERMINAL]  # type: ignore[valid-type]

# strict: true/false are not the numbers 1/0 (lax pydantic takes them as such).
_strict = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class DatasetParams(BaseModel):
    model_config = _strict

    noise: float | None = Field(default=None, ge=0, le=10)
    n_samples: int | None = Field(default=None, ge=10, le=1_000_000)
    val_split: float = Field(default=0.1, ge=0, lt=1)
    # class label ("8") -> share of that class's training samples kept (bias demo);
    # labels are checked against the dataset in the router / run config.
    class_fractions: dict[str, Annotated[float, Field(gt=0, le=1)]] | None = Field(default=None, max_length=1000)


class InitialWeights(BaseModel):
    model_config = _strict

    run_id: str | None = Field(default=None, max_length=64, pattern=RUN_ID_PATTERN)
    model_id: str | None = Field(default=None, max_length=64, pattern=MODEL_ID_PATTERN)

    @model_validator(mode="after")
    def _one_source(self) -> InitialWeights:
        if (self.run_id is None) == (self.model_id is None):
            raise ValueError("give exactly one of run_id or model_id")
        return self


class RunCreate(BaseModel):
    model_config = _strict

    spec: dict[str, Any]
    dataset: str = Field(min_length=1, max_length=100)
    dataset_params: DatasetParams = DatasetParams()
    epochs: int = Field(default=1, ge=1)
    steps: int | None = Field(default=None, ge=1)
    batch_size: int = Field(default=64, ge=1)
    optimizer: OptimizerName = "sgd"  # type: ignore[valid-type]
    lr: float = Field(default=0.01, gt=0, le=100)
    lr_schedule: ScheduleName = "constant"  # type: ignore[valid-type]
    optimizer_params: dict[str, float | bool] = {}
    weight_decay: float = Field(default=0.0, ge=0, le=10)
    steps_per_second: float | None = Field(
        default=None, gt=0, le=1000, description="slow motion: at most this many steps per second (null: full speed)")
    seed: int = Field(default=0, ge=0, le=2**32 - 1)
    shuffle: bool = True
    initial_weights: InitialWeights | None = None
    name: str = Field(default="", max_length=200)


class StepRequest(BaseModel):
    model_config = _strict

    n: int = Field(default=1, ge=1)


class RunPatch(BaseModel):
    """Optimizer settings that may change while a run trains, its speed, and its name."""

    model_config = _strict

    lr: float | None = Field(default=None, gt=0, le=100)
    momentum: float | None = Field(default=None, ge=0, lt=1)
    nesterov: bool | None = None
    weight_decay: float | None = Field(default=None, ge=0, le=10)
    beta1: float | None = Field(default=None, ge=0, lt=1)
    beta2: float | None = Field(default=None, ge=0, lt=1)
    eps: float | None = Field(default=None, gt=0, le=1)
    name: str | None = Field(default=None, max_length=200)
    steps_per_second: float | None = Field(
        default=None, ge=0, le=1000, description="slow motion from the next step on; 0: full speed")


class RunRecord(BaseModel):
    """What the run manager knows about a run; extra keys pass through."""

    model_config = ConfigDict(extra="allow")

    id: str
    name: str = ""
    status: str
    created_at: float | None = None
    updated_at: float | None = None
    spec: dict[str, Any] | None = None
    dataset: str | None = None
    dataset_params: dict[str, Any] | None = None
    config: dict[str, Any] | None = None
    progress: dict[str, Any] | None = None
    queue_position: int | None = None
    latest: dict[str, Any] | None = None
    final: dict[str, Any] | None = None
    message: str | None = ""
    owner: str | None = None  # the session that made it (None: before classroom mode)
    owner_name: str | None = None


class MetricsPage(BaseModel):
    run_id: str
    kind: Literal["step", "epoch", "eval", "snapshot"]
    total: int
    offset: int
    points: list[dict[str, Any]]
