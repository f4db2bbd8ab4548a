"""Datasets: the engine's built-in sets and the user's uploaded .npz files.

GET  /api/datasets          built-in datasets (with local availability) and uploads
POST /api/datasets/upload   multipart `file`: a .npz with x, y (optional x_test, y_test)
"""

from __future__ import annotations

from fastapi import APIRouter, File, UploadFile
from starlette.concurrency import run_in_threadpool

from playground.api.deps import SettingsDep, UploadsDep
from playground.api.errors import ApiError, field_error
from playground.api.schemas.common import ERROR_RESPONSES
from playground.api.schemas.datasets import DatasetOut
from playground.api.uploads import UploadError
from playground.api.upload_io import read_limited
from playground.engine.data import list_datasets

router = APIRouter(prefix="/datasets", tags=["datasets"])


def builtin_datasets(settings) -> list[dict]:
    data_dir = str(settings.data_dir) if settings.data_dir else None
    out = []
    for d in list_datasets(data_dir=data_dir):
        d = dict(d)
        d.setdefault("uploaded", False)
        out.append(d)
    return out


@router.get("", response_model=list[DatasetOut])
def datasets(settings: SettingsDep, uploads: UploadsDep) -> list[dict]:
    return builtin_datasets(settings) + uploads.list()


@router.post(
    "/upload",
    response_model=DatasetOut,
    status_code=201,
    responses={400: ERROR_RESPONSES[422], 413: ERROR_RESPONSES[422], 422: ERROR_RESPONSES[422],
               507: ERROR_RESPONSES[507]},
)
async def upload(settings: SettingsDep, uploads: UploadsDep, file: UploadFile = File(...)) -> dict:
    data = await read_limited(file, settings.max_upload_bytes)
    if not data:
        raise field_error(["body", "file"], "the file is empty")
    try:
        return await run_in_threadpool(uploads.save, data, file.filename or "upload.npz")
    except UploadError as exc:
        raise ApiError(400, f"not a usable dataset: {exc}") from None
