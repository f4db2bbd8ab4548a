"""Model specs and imported models.

POST   /api/models/validate   spec -> per-layer shapes, params, formulas (422 naming layer + field)
POST   /api/models/import     multipart `file`: a run export zip -> model record
GET    /api/models            imported models
GET    /api/models/{model_id} one imported model
DELETE /api/models/{model_id} forget an imported model
GET    /api/models/{model_id}/export?format=zip|onnx|pytorch  download (model_export.py)
(predict / activations / weights / filters of imported models: routers/inspect.py)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile

from playground.api.deps import ManagerDep, SettingsDep
from playground.api.errors import field_error
from playground.api.model_export import EXPORT_RESPONSES, FORMAT_HELP, ExportFormat, imported_model_file
from playground.api.schemas.common import ERROR_RESPONSES
from playground.api.schemas.models import ModelRecord, ValidateRequest, ValidateResponse
from playground.api.spec_check import check_spec
from playground.api.upload_io import read_limited

router = APIRouter(prefix="/models", tags=["models"])


@router.post("/validate", response_model=ValidateResponse, responses={422: ERROR_RESPONSES[422]})
def validate(body: ValidateRequest, settings: SettingsDep) -> dict:
    report = check_spec(body.spec, settings)
    return {
        "valid": True,
        "total_params": report.total_params,
        "output_shape": list(report.output_shape),
        "loss": report.loss,
        "num_outputs": report.num_outputs,
        "layers": [
            {
                "index": info.index,
                "type": info.type,
                "input_shape": list(info.input_shape),
                "output_shape": list(info.output_shape),
                "params": info.params,
                "detail": dict(info.detail),
            }
            for info in report.layers
        ],
    }


@router.post(
    "/import",
    response_model=ModelRecord,
    status_code=201,
    responses={400: ERROR_RESPONSES[422], 413: ERROR_RESPONSES[422], 422: ERROR_RESPONSES[422]},
)
async def import_model(
    settings: SettingsDep,
    manager: ManagerDep,
    file: UploadFile = File(...),
    name: str | None = Form(default=None, max_length=200),
) -> dict:
    data = await read_limited(file, settings.max_upload_bytes)
    if not data:
        raise field_error(["body", "file"], "the file is empty")
    return await manager.import_model(data, name=name)


@router.get("", response_model=list[ModelRecord])
async def list_models(manager: ManagerDep) -> list[dict]:
    return await manager.list_models()


@router.get("/{model_id}", response_model=ModelRecord, responses={404: ERROR_RESPONSES[404]})
async def get_model(model_id: str, manager: ManagerDep) -> dict:
    return await manager.get_model_record(model_id)


@router.delete("/{model_id}", status_code=204, responses={404: ERROR_RESPONSES[404]})
async def delete_model(model_id: str, manager: ManagerDep) -> Response:
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
    fmt: Annotated[ExportFormat, Query(alias="format", description=FORMAT_HELP)] = "zip",
) -> Response:
    record = await manager.get_model_record(model_id)
    return await imported_model_file(await manager.get_imported_model(model_id), record, fmt)
