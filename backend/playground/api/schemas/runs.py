"""Runs: the create request, controls, the run record and metric pages.

RunCreate's training settings are generated from the engine's one definition
(engine/run_config.py API_FIELDS): type, default, bounds and description of
each, enums from its vocabularies; nothing about them is written here. Code
reads them through ``RunConfig.from_dict(body.model_dump())``, typed. Bounds
that come from settings (max epochs, batch size, ...) are checked in the
router so tests can change them per app (api/openapi_limits.py writes them
into the schema).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from playground.engine.data.split import MAX_VAL_SPLIT
from playground.engine.optim import SETTING_CHECKS, Flag, Number
from playground.engine.run_config import API_FIELDS, BY_NAME, TOP_LEVEL_OPTIMIZER_KEYS, Setting
from playground.runs.protocol import ACTIVE, MODEL_ID_PATTERN, RUN_ID_PATTERN, TERMINAL

RunStatus = Literal[ACTIVE + TERMINAL]  # type: ignore[valid-type]

# strict: true/false are not the numbers 1/0 (lax pydantic takes them as such).
_strict = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


def _annotation(s: Setting) -> Any:
    """The pydantic type of a run setting: a vocabulary becomes an enum; optimizer
    settings in JSON are numbers or true/false."""
    base: Any = s.kind
    if s.kind is dict:
        base = dict[str, float | bool]
    elif s.choices:
        base = Literal.__getitem__(s.choices)
    return base | None if s.optional else base


def train_field(name: str, **override: Any) -> Any:
    """A pydantic Field for run setting ``name`` from the engine's definition."""
    s = BY_NAME[name]
    bounds: dict[str, Any] = {}
    if s.low is not None:
        bounds["gt" if s.low_open else "ge"] = s.low
    if s.high is not None:
        bounds["le"] = s.high
    # pydantic copies a mutable default ({}) for each request.
    return Field(**{"default": s.default, "description": s.help, **bounds, **override})


class DatasetParams(BaseModel):
    model_config = _strict

    noise: float | None = Field(default=None, ge=0, le=10)
    n_samples: int | None = Field(default=None, ge=10, le=1_000_000)
    val_split: float = Field(default=0.1, ge=0, le=MAX_VAL_SPLIT)
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


class RunCreateBase(BaseModel):
    """What POST /api/runs holds besides the training settings."""

    model_config = _strict

    spec: dict[str, Any]
    dataset: str = Field(min_length=1, max_length=100)
    dataset_params: DatasetParams = DatasetParams()
    initial_weights: InitialWeights | None = None
    name: str = Field(default="", max_length=200)


if TYPE_CHECKING:  # a type checker sees the declared part; the settings are read through RunConfig
    RunCreate = RunCreateBase
else:
    RunCreate = create_model("RunCreate", __base__=RunCreateBase, __doc__="A new run: POST /api/runs.",
                             **{s.name: (_annotation(s), train_field(s.name)) for s in API_FIELDS})


class StepRequest(BaseModel):
    model_config = _strict

    n: int = Field(default=1, ge=1)


def _optimizer_field(check: Number | Flag) -> tuple[Any, Any]:
    """(annotation, Field) of an optimizer setting a PATCH may change, from the
    engine's own check (engine/optim.py), so both refuse the same values."""
    if isinstance(check, Flag):
        return bool | None, Field(default=None)
    bounds: dict[str, Any] = {"gt" if check.low_open else "ge": check.low}
    if check.high is not None:
        bounds["lt"] = check.high
    return float | None, Field(default=None, **bounds)


class RunPatchBase(BaseModel):
    """What PATCH /api/runs/{id} holds besides the optimizer settings."""

    model_config = _strict

    name: str | None = Field(default=None, max_length=200)
    steps_per_second: float | None = Field(
        default=None, ge=0, le=BY_NAME["steps_per_second"].high,
        description="slow motion from the next step on; 0: full speed")


if TYPE_CHECKING:
    RunPatch = RunPatchBase
else:
    # lr and weight_decay: the run configuration's bounds (tighter than the
    # optimizer's); the other optimizer settings: the optimizer's.
    RunPatch = create_model(
        "RunPatch", __base__=RunPatchBase,
        __doc__="Optimizer settings that may change while a run trains, its speed, and its name.",
        **{name: (float | None, train_field(name, default=None)) if name in TOP_LEVEL_OPTIMIZER_KEYS
           else _optimizer_field(check) for name, check in SETTING_CHECKS.items()})


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
