"""Model specs and imported models.

POST   /api/models/validate   spec (+ dataset) -> per-layer shapes, params, formulas (422 naming layer + field)
POST   /api/models/import     multipart `file`: a run export zip -> model record
GET    /api/models            imported models
GET    /api/models/{model_id} one imported model
DELETE /api/models/{model_id} forget an imported model
GET    /api/models/{model_id}/export?format=zip|onnx|pytorch  download (model_export.py)
(predict / activations / weights / filters of imported models: routers/inspect.py)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile

from playground.api.auth import OwnedModel, SessionDep
from playground.api.deps import ManagerDep, SettingsDep, UploadsDep
from playground.api.errors import field_error
from playground.api.model_export import EXPORT_RESPONSES, FORMAT_HELP, ExportFormat, imported_model_file
from playground.api.schemas.common import ERROR_RESPONSES, UPLOAD_RESPONSES
from playground.api.schemas.models import ModelRecord, ValidateRequest, ValidateResponse
from playground.api.spec_check import check_spec
from playground.api.upload_io import read_limited
from playground.api.uploads import PREFIX, UploadStore
from playground.engine.data import DATASETS
from playground.engine.fit import check_fit
from playground.engine.spec import SpecReport

router = APIRouter(prefix="/models", tags=["models"])


@router.post("/validate", response_model=ValidateResponse, responses={422: ERROR_RESPONSES[422]})
def validate(body: ValidateRequest, settings: SettingsDep, uploads: UploadsDep) -> dict:
    report = check_spec(body.spec, settings)
    if body.dataset is not None:
        _check_fits(report, body.dataset, uploads)
    # The engine's report as it is (the response model picks its public fields).
    return {"valid": True, **report.to_dict()}


def _check_fits(report: SpecReport, dataset: str, uploads: UploadStore) -> None:
    """The check Start makes (engine/fit.check_fit), made while the model is built,
    so a last layer too narrow for the classes is marked before Start."""
    if dataset in DATASETS:
        num_classes, target_size = DATASETS[dataset].num_classes, 1
    elif dataset.startswith(PREFIX) and (info := uploads.info(dataset)) is not None:
        # Read once: an upload deleted between two reads would have raised (a 500).
        num_classes, target_size = int(info.get("num_classes") or 0), None
    else:
        raise field_error(["body", "dataset"], f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)} or an upload")
    check_fit(report, dataset, num_classes, target_size=target_size)  # RunConfigError: a 422 at its field


@router.post(
    "/import",
    response_model=ModelRecord,
    status_code=201,
    responses=UPLOAD_RESPONSES,
)
async def import_model(
    request: Request,
    settings: SettingsDep,
    manager: ManagerDep,
    session: SessionDep,
    file: UploadFile = File(...),
    name: str | None = Form(default=None, max_length=200),
) -> dict:
    data = await read_limited(file, settings.max_upload_bytes)
    if not data:
        raise field_error(["body", "file"], "the file is empty")
    quotas = request.app.state.quotas
    mine = [m for m in await manager.list_models() if (m.get("owner") or "local") == session.id]
    quotas.stored(session, "model", mine, len(data))
    quotas.create(session, "imports")
    return await manager.import_model(data, name=name, owner=session.owner)


@router.get("", response_model=list[ModelRecord])
async def list_models(manager: ManagerDep) -> list[dict]:
    return await manager.list_models()


@router.get("/{model_id}", response_model=ModelRecord, responses={404: ERROR_RESPONSES[404]})
async def get_model(model_id: str, manager: ManagerDep) -> dict:
    return await manager.get_model_record(model_id)


@router.delete("/{model_id}", status_code=204, responses={403: ERROR_RESPONSES[403], 404: ERROR_RESPONSES[404]})
async def delete_model(model_id: str, manager: ManagerDep, _: OwnedModel) -> Response:
    await manager.delete_model(model_id)
    return Response(status_code=204)


@router.get(
    "/{model_id}/export",
    responses={404: ERROR_RESPONSES[404], 422: ERROR_RESPONSES[422], **EXPORT_RESPONSES},
    response_class=Response,
)
async def export_model(
    model_id: str,
    manager: ManagerDep,
    record: OwnedModel,
    fmt: Annotated[ExportFormat, Query(alias="format", description=FORMAT_HELP)] = "zip",
) -> Response:
    return await imported_model_file(await manager.get_imported_model(model_id), record, fmt)
