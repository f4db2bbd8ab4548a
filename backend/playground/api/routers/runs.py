"""Training runs: create, list, control, change, delete, metrics, export.

POST   /api/runs                  start (or queue) a run -> run record (201; 429 when the queue is full)
GET    /api/runs?status=          run records, newest first
GET    /api/runs/{run_id}         one run record
POST   /api/runs/{run_id}/pause   | /resume | /stop
POST   /api/runs/{run_id}/step    body {"n": 10}: run n steps, then pause
PATCH  /api/runs/{run_id}         optimizer settings (lr, momentum, ...) and name
DELETE /api/runs/{run_id}         stop and remove
GET    /api/runs/{run_id}/metrics step, epoch, eval or snapshot history, paged and downsampled
GET    /api/runs/{run_id}/export  zip: spec.json, weights.npz, metrics.json, run.json;
                                  ?format=onnx | pytorch: the model as ONNX or PyTorch (model_export.py)
(predict / activations / weights / filters / decision grid / evaluation: routers/inspect.py)
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from playground.api.auth import OwnedRun, SessionDep, check_owner
from playground.api.deps import ManagerDep, SettingsDep, UploadsDep
from playground.api.errors import field_error
from playground.api.model_export import EXPORT_RESPONSES, FORMAT_HELP, ExportFormat, model_file
from playground.api.schemas.common import ERROR_RESPONSES
from playground.api.schemas.runs import MetricsPage, RunCreate, RunPatch, RunRecord, RunStatus, StepRequest
from playground.api.sessions import Session
from playground.api.settings import Settings
from playground.api.spec_check import check_spec
from playground.api.uploads import PREFIX, UploadStore
from playground.engine.data import DATASETS
from playground.engine.fit import check_fit
from playground.engine.run_config import API_FIELDS, RunConfig
from playground.runs.config import check_fractions
from playground.runs.errors import ModelNotFound, RunNotFound, RunsError
from playground.runs.protocol import RunManagerProtocol
from playground.viz import budget

router = APIRouter(prefix="/runs", tags=["runs"])
# Offsets and steps go to SQLite, whose integers stop at 2**63 - 1 (beyond: OverflowError).
MAX_INDEX = 10**12
R: dict[int | str, dict[str, Any]] = {403: ERROR_RESPONSES[403], 404: ERROR_RESPONSES[404], 409: ERROR_RESPONSES[409],
     422: ERROR_RESPONSES[422]}


def _check_limits(cfg: RunConfig, settings: Settings) -> None:
    """The server's limits, on top of the run configuration's own bounds."""
    if cfg.batch_size > settings.max_batch_size:
        raise field_error(["body", "batch_size"], f"batch_size {cfg.batch_size} is above the limit {settings.max_batch_size}", "limit")
    if cfg.epochs > settings.max_epochs:
        raise field_error(["body", "epochs"], f"epochs {cfg.epochs} is above the limit {settings.max_epochs}", "limit")
    if cfg.steps is not None and cfg.steps > settings.max_steps:
        raise field_error(["body", "steps"], f"steps {cfg.steps} is above the limit {settings.max_steps}", "limit")


def _check_memory(spec: dict, batch_size: int, settings: Settings) -> None:
    need = budget.training_bytes(spec, batch_size)
    if need > settings.max_batch_bytes:
        most = budget.largest_batch(spec, settings.max_batch_bytes)
        raise field_error(
            ["body", "batch_size"],
            f"a training step of this model at batch_size {batch_size} needs about {need / 2**20:,.0f} MB "
            f"of activations; the limit is {settings.max_batch_bytes / 2**20:,.0f} MB: use batch_size <= {most} "
            f"or a smaller model",
            "limit",
        )


async def _check_sources(body: RunCreate, session: Session, manager: RunManagerProtocol,
                         uploads: UploadStore) -> None:
    """Training on someone's upload or starting from their model or run needs their permission."""
    if body.dataset.startswith(PREFIX) and (info := uploads.info(body.dataset)) is not None:
        check_owner(session, info.get("owner"), info.get("owner_name"), f"uploaded dataset {body.dataset!r}")
    iw = body.initial_weights
    try:
        if iw is not None and iw.model_id is not None:
            rec = await manager.get_model_record(iw.model_id)
            check_owner(session, rec.get("owner"), rec.get("owner_name"), f"model '{iw.model_id}'")
        elif iw is not None and iw.run_id is not None:
            rec = await manager.get(iw.run_id)
            check_owner(session, rec.get("owner"), rec.get("owner_name"), f"run '{iw.run_id}'")
    except (ModelNotFound, RunNotFound):
        pass  # the manager answers 422 at the field for weights that are not there


@router.post("", response_model=RunRecord, status_code=201,
              responses={**R, 429: ERROR_RESPONSES[429], 507: ERROR_RESPONSES[507]})
async def create_run(body: RunCreate, request: Request, session: SessionDep, settings: SettingsDep,
                     manager: ManagerDep, uploads: UploadsDep) -> dict:
    config = body.model_dump()
    # The engine's one definition judges the training settings (422 at the field).
    cfg = RunConfig.from_dict(config, only=API_FIELDS)
    _check_limits(cfg, settings)
    await _check_sources(body, session, manager, uploads)
    report = check_spec(body.spec, settings)
    _check_memory(body.spec, cfg.batch_size, settings)
    params = config["dataset_params"]
    if params.get("class_fractions") is None:
        params.pop("class_fractions", None)  # records of unbiased runs stay as they were
    if body.dataset.startswith(PREFIX):
        path = uploads.path_of(body.dataset)
        info = uploads.info(body.dataset)
        if path is None or info is None:
            raise field_error(["body", "dataset"], f"no uploaded dataset named {body.dataset!r}")
        params["path"] = str(path)
        # The one fit check (engine/fit.py): its RunConfigError is a 422 at the spec's field.
        check_fit(report, body.dataset, int(info.get("num_classes") or 0), input_shape=info["input_shape"])
        if params.get("class_fractions") is not None:
            check_fractions(params["class_fractions"], int(info.get("num_classes") or 0))
    elif body.dataset not in DATASETS:
        known = ", ".join(DATASETS)
        raise field_error(["body", "dataset"], f"unknown dataset {body.dataset!r}; known: {known} or an upload")
    if config["initial_weights"] is not None:
        config["initial_weights"] = {k: v for k, v in config["initial_weights"].items() if v is not None}
    request.app.state.quotas.create(session, "runs")
    return await manager.create(config, owner=session.owner)


@router.get("", response_model=list[RunRecord])
async def list_runs(
    manager: ManagerDep,
    status: RunStatus | None = None,  # type: ignore[valid-type]
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=MAX_INDEX),
) -> list[dict]:
    return await manager.list(status=status, limit=limit, offset=offset)


@router.get("/{run_id}", response_model=RunRecord, responses=R)
async def get_run(run_id: str, manager: ManagerDep) -> dict:
    return await manager.get(run_id)


@router.post("/{run_id}/pause", response_model=RunRecord, responses=R)
async def pause(run_id: str, manager: ManagerDep, _: OwnedRun) -> dict:
    return await manager.pause(run_id)


@router.post("/{run_id}/resume", response_model=RunRecord, responses={**R, 429: ERROR_RESPONSES[429]})
async def resume(run_id: str, manager: ManagerDep, _: OwnedRun) -> dict:
    return await manager.resume(run_id)


@router.post("/{run_id}/stop", response_model=RunRecord, responses=R)
async def stop(run_id: str, manager: ManagerDep, _: OwnedRun) -> dict:
    return await manager.stop(run_id)


@router.post("/{run_id}/step", response_model=RunRecord, responses=R)
async def step(run_id: str, manager: ManagerDep, settings: SettingsDep, _: OwnedRun,
               body: StepRequest | None = None) -> dict:
    n = body.n if body is not None else 1
    if n > settings.max_steps:
        raise field_error(["body", "n"], f"n {n} is above the limit {settings.max_steps}", "limit")
    return await manager.step(run_id, n)


@router.patch("/{run_id}", response_model=RunRecord, responses=R)
async def update(run_id: str, body: RunPatch, manager: ManagerDep, _: OwnedRun) -> dict:
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise field_error(["body"], f"nothing to change: give one of {', '.join(RunPatch.model_fields)}")
    rate = changes.pop("steps_per_second", None)
    # A refused setting is a ConfigError at its key of this body (api/errors.py maps it).
    try:
        if rate is not None:
            record = await manager.set_speed(run_id, rate or None)
            if not changes:
                return record
        return await manager.update(run_id, changes)
    except ValueError as exc:
        if isinstance(exc, RunsError):
            raise
        raise field_error(["body"], str(exc)) from None


@router.delete("/{run_id}", status_code=204, responses=R)
async def delete(run_id: str, manager: ManagerDep, _: OwnedRun) -> Response:
    await manager.delete(run_id)
    return Response(status_code=204)


@router.get("/{run_id}/metrics", response_model=MetricsPage, responses=R)
async def metrics(
    run_id: str,
    manager: ManagerDep,
    kind: Literal["step", "epoch", "eval", "snapshot"] = "step",
    offset: int = Query(default=0, ge=0, le=MAX_INDEX),
    limit: int | None = Query(default=None, ge=1, le=1_000_000),
    max_points: int | None = Query(default=None, ge=2, le=100_000),
    since_step: int | None = Query(default=None, ge=0, le=MAX_INDEX),
) -> dict:
    return await manager.metrics(run_id, kind=kind, offset=offset, limit=limit, max_points=max_points, since_step=since_step)


@router.get(
    "/{run_id}/export",
    responses={**R, **EXPORT_RESPONSES},
    response_class=Response,
)
async def export(
    run_id: str,
    manager: ManagerDep,
    _: OwnedRun,
    which: Literal["latest", "best"] = "latest",
    fmt: Annotated[ExportFormat, Query(alias="format", description=FORMAT_HELP)] = "zip",
) -> Response:
    if fmt != "zip":
        return await model_file(await manager.get_model(run_id, which=which), fmt, f"run-{run_id}")
    data = await manager.export(run_id, which=which)
    return Response(
        content=data,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="run-{run_id}.zip"'},
    )
