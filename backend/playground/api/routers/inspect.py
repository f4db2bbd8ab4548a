"""Looking inside a trained model: predictions, activations, weights, filters,
decision boundary and evaluation - for runs and for imported models.

POST /api/runs/{run_id}/predict                 JSON input(s) or multipart image -> probabilities + input seen
POST /api/runs/{run_id}/activations             one input -> every layer's output, top filters
GET  /api/runs/{run_id}/layers/{index}/weights  weight arrays + stats (+ 28x28 images for a first dense layer)
GET  /api/runs/{run_id}/layers/{index}/filters  conv filters as arrays, or ?format=png
GET  /api/runs/{run_id}/decision-grid           2-D datasets: probabilities on a grid + data points;
                                                1-D datasets: the fitted curve + data points
GET  /api/runs/{run_id}/evaluation              confusion matrix, per-class accuracy, misclassified images
GET  /api/runs/{run_id}/units                   1-D and 2-D datasets: each hidden unit over the input space
POST /api/models/{model_id}/predict             as for runs, with an imported model
POST /api/models/{model_id}/activations
GET  /api/models/{model_id}/layers/{index}/weights
GET  /api/models/{model_id}/layers/{index}/filters

All model work runs in the threadpool under the model's lock; decision grids,
unit views and evaluations also take one of settings.max_inspections slots
(429 with Retry-After when the slots and their queue are full): each pushes a
dataset through the model, a second or more for a wide model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from playground.api import inputs
from playground.api.auth import RunDataVisible
from playground.api.deps import ManagerDep, SettingsDep
from playground.api.errors import ApiError
from playground.api.model_lock import run_locked
from playground.api.schemas.common import ERROR_RESPONSES
from playground.api.schemas.inspect import (
    ActivationsResponse,
    DecisionGrid,
    Evaluation,
    FiltersResponse,
    FitCurve,
    PredictResponse,
    UnitViews,
    WeightsResponse,
)
from playground.api.settings import Settings
from playground.engine.data import DATASETS
from playground.engine.model import Model
from playground.runs.protocol import RunManagerProtocol
from playground.viz import inspection

router = APIRouter(tags=["inspect"])
R: dict[int | str, dict[str, Any]] = {400: ERROR_RESPONSES[422], 403: ERROR_RESPONSES[403], 404: ERROR_RESPONSES[404], 409: ERROR_RESPONSES[409], 422: ERROR_RESPONSES[422]}
HEAVY: dict[int | str, dict[str, Any]] = {**R, 429: ERROR_RESPONSES[429]}
Which = Literal["latest", "best"]
PNG: dict[int | str, dict[str, Any]] = {200: {"content": {"image/png": {}, "application/json": {}}, "description": "filters"}}


async def _run_model(manager: RunManagerProtocol, run_id: str, which: str = "latest") -> Model:
    return await manager.get_model(run_id, which=which)


async def _imported(manager: RunManagerProtocol, model_id: str) -> Model:
    return await manager.get_imported_model(model_id)


async def _predict(model: Model, request: Request, settings: Settings) -> dict[str, Any]:
    payload = await inputs.read_payload(request, settings.max_upload_bytes)

    def work() -> dict[str, Any]:
        # Decoding and the model call share one threadpool hop: under load every
        # hop waits for a core, and predict latency is what a drawing student feels.
        batch = inputs.to_batch_from(payload, model.spec["input_shape"])
        result = run_locked(model, inspection.predict, batch)
        result["input"] = inputs.as_seen(batch)
        return result

    return await run_in_threadpool(work)


async def _activations(model: Model, request: Request, settings: Settings, top_k: int) -> dict[str, Any]:
    payload = await inputs.read_payload(request, settings.max_upload_bytes)

    def work() -> dict[str, Any]:
        batch = inputs.to_batch_from(payload, model.spec["input_shape"])
        result = run_locked(model, inspection.activations, batch[:1], top_k)
        result["input"] = inputs.as_seen(batch)
        return result

    return await run_in_threadpool(work)


async def _filters(model: Model, index: int, fmt: str, scale: int) -> Response | dict[str, Any]:
    if fmt == "png":
        data = await run_in_threadpool(run_locked, model, inspection.layer_filters_png, index, scale)
        return Response(content=data, media_type="image/png")
    return await run_in_threadpool(run_locked, model, inspection.layer_filters, index)


# --- runs ---------------------------------------------------------------------------


@router.post("/runs/{run_id}/predict", response_model=PredictResponse, responses=R, openapi_extra=inputs.BODY_DOC)
async def run_predict(run_id: str, request: Request, manager: ManagerDep, settings: SettingsDep, which: Which = "latest") -> dict[str, Any]:
    return await _predict(await _run_model(manager, run_id, which), request, settings)


@router.post("/runs/{run_id}/activations", response_model=ActivationsResponse, responses=R, openapi_extra=inputs.BODY_DOC)
async def run_activations(
    run_id: str, request: Request, manager: ManagerDep, settings: SettingsDep,
    which: Which = "latest", top_k: int = Query(default=5, ge=0, le=1024),
) -> dict[str, Any]:
    return await _activations(await _run_model(manager, run_id, which), request, settings, top_k)


@router.get("/runs/{run_id}/layers/{index}/weights", response_model=WeightsResponse, responses=R)
async def run_weights(
    run_id: str, index: int, manager: ManagerDep,
    which: Which = "latest", max_units: int = Query(default=64, ge=0, le=4096),
) -> dict[str, Any]:
    model = await _run_model(manager, run_id, which)
    return await run_in_threadpool(run_locked, model, inspection.layer_weights, index, max_units)


@router.get("/runs/{run_id}/layers/{index}/filters", response_model=FiltersResponse, responses={**R, **PNG})
async def run_filters(
    run_id: str, index: int, manager: ManagerDep, which: Which = "latest",
    format: Literal["json", "png"] = "json", scale: int = Query(default=8, ge=1, le=32),
) -> Response | dict[str, Any]:
    return await _filters(await _run_model(manager, run_id, which), index, format, scale)


async def _on_run_data(request: Request, model: Model, record: dict[str, Any],
                       fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """fn(model, the run's dataset, *args) in the threadpool under the model's lock,
    in one of the inspection slots (429 beyond their queue)."""
    cache = request.app.state.datasets

    def work() -> dict[str, Any]:
        result: dict[str, Any] = run_locked(model, fn, cache.for_run(record), *args)
        return result

    async with request.app.state.inspections.slot():
        return await run_in_threadpool(work)


@router.get("/runs/{run_id}/decision-grid", response_model=DecisionGrid | FitCurve, responses=HEAVY)
async def decision_grid(
    run_id: str, request: Request, manager: ManagerDep, record: RunDataVisible,
    which: Which = "latest", resolution: int = Query(default=60, ge=2, le=200),
) -> dict[str, Any]:
    info = DATASETS.get(record.get("dataset") or "")
    if info is not None and info.kind not in ("2d", "1d"):
        raise ApiError(409, f"the decision grid needs a 2-D or 1-D dataset; '{info.name}' is {info.kind}")
    model = await _run_model(manager, run_id, which)
    return await _on_run_data(request, model, record, inspection.decision_grid, resolution)


@router.get("/runs/{run_id}/units", response_model=UnitViews, responses=HEAVY)
async def units(run_id: str, request: Request, manager: ManagerDep, record: RunDataVisible,
                which: Which = "latest") -> dict[str, Any]:
    """The neuron views of a stored run (a live one streams them with its snapshots)."""
    model = await _run_model(manager, run_id, which)
    return await _on_run_data(request, model, record, inspection.unit_views)


@router.get("/runs/{run_id}/evaluation", response_model=Evaluation, responses=HEAVY)
async def evaluation(run_id: str, request: Request, manager: ManagerDep, record: RunDataVisible,
                     which: Which = "latest") -> dict[str, Any]:
    model = await _run_model(manager, run_id, which)
    return await _on_run_data(request, model, record, inspection.evaluation)


# --- imported models ----------------------------------------------------------------


@router.post("/models/{model_id}/predict", response_model=PredictResponse, responses=R, openapi_extra=inputs.BODY_DOC)
async def model_predict(model_id: str, request: Request, manager: ManagerDep, settings: SettingsDep) -> dict[str, Any]:
    return await _predict(await _imported(manager, model_id), request, settings)


@router.post("/models/{model_id}/activations", response_model=ActivationsResponse, responses=R, openapi_extra=inputs.BODY_DOC)
async def model_activations(
    model_id: str, request: Request, manager: ManagerDep, settings: SettingsDep,
    top_k: int = Query(default=5, ge=0, le=1024),
) -> dict[str, Any]:
    return await _activations(await _imported(manager, model_id), request, settings, top_k)


@router.get("/models/{model_id}/layers/{index}/weights", response_model=WeightsResponse, responses=R)
async def model_weights(model_id: str, index: int, manager: ManagerDep, max_units: int = Query(default=64, ge=0, le=4096)) -> dict[str, Any]:
    model = await _imported(manager, model_id)
    return await run_in_threadpool(run_locked, model, inspection.layer_weights, index, max_units)


@router.get("/models/{model_id}/layers/{index}/filters", response_model=FiltersResponse, responses={**R, **PNG})
async def model_filters(
    model_id: str, index: int, manager: ManagerDep,
    format: Literal["json", "png"] = "json", scale: int = Query(default=8, ge=1, le=32),
) -> Response | dict[str, Any]:
    return await _filters(await _imported(manager, model_id), index, format, scale)
