"""Datasets: the engine's built-in sets and the user's uploaded .npz files.

GET    /api/datasets          built-in datasets (with local availability) and the
                              session's own uploads (the teacher sees every upload)
POST   /api/datasets/upload   multipart `file`: a .npz with x, y (optional x_test, y_test)
DELETE /api/datasets/{name}   forget an upload (its owner or the teacher)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from playground.api.auth import SessionDep, check_owner
from playground.api.deps import SettingsDep, UploadsDep
from playground.api.errors import ApiError, field_error
from playground.api.schemas.common import ERROR_RESPONSES, UPLOAD_RESPONSES
from playground.api.schemas.datasets import DatasetOut
from playground.api.sessions import Session
from playground.api.settings import Settings
from playground.api.upload_io import read_limited
from playground.api.uploads import UploadError, UploadStore
from playground.engine.data import list_datasets

router = APIRouter(prefix="/datasets", tags=["datasets"])


def builtin_datasets(settings: Settings) -> list[dict[str, Any]]:
    data_dir = str(settings.data_dir) if settings.data_dir else None
    out = []
    for d in list_datasets(data_dir=data_dir, cache_dir=settings.cache_dir):
        d = dict(d)
        d.setdefault("uploaded", False)
        out.append(d)
    return out


def visible_uploads(uploads: UploadStore, session: Session) -> list[dict[str, Any]]:
    """Uploaded data is its owner's (and the teacher's) only."""
    return uploads.list() if session.is_teacher else uploads.owned_by(session.id)


@router.get("", response_model=list[DatasetOut])
def datasets(settings: SettingsDep, uploads: UploadsDep, session: SessionDep) -> list[dict]:
    return builtin_datasets(settings) + visible_uploads(uploads, session)


@router.post(
    "/upload",
    response_model=DatasetOut,
    status_code=201,
    responses=UPLOAD_RESPONSES,
)
async def upload(request: Request, settings: SettingsDep, uploads: UploadsDep, session: SessionDep,
                 file: UploadFile = File(...)) -> dict:
    data = await read_limited(file, settings.max_upload_bytes)
    if not data:
        raise field_error(["body", "file"], "the file is empty")
    quotas = request.app.state.quotas
    quotas.stored(session, "upload", await run_in_threadpool(uploads.owned_by, session.id), len(data))
    quotas.create(session, "uploads")
    try:
        return await run_in_threadpool(uploads.save, data, file.filename or "upload.npz", session.owner)
    except UploadError as exc:
        raise ApiError(400, f"not a usable dataset: {exc}") from None


@router.delete("/{name}", status_code=204,
               responses={403: ERROR_RESPONSES[403], 404: ERROR_RESPONSES[404]})
def delete_upload(name: str, uploads: UploadsDep, session: SessionDep) -> Response:
    info = uploads.info(name)
    if info is None:
        raise ApiError(404, f"no uploaded dataset named {name!r}")
    check_owner(session, info.get("owner"), info.get("owner_name"), f"uploaded dataset {name!r}")
    uploads.delete(name)
    return Response(status_code=204)
