"""Error responses: every user mistake becomes a 4xx that names the field at fault.

Schema errors are FastAPI's 422 `{"detail": [{"loc", "msg", "type"}]}`; the
helpers here raise the same shape for checks pydantic cannot do (spec errors
point at `["body", "spec", "layers", i, field]`). Run-manager errors map to one
status each: not found 404, wrong state 409, queue full 429, bad config 422.
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from playground.runs.errors import (
    ConfigError,
    ModelImportError,
    ModelNotFound,
    QueueFull,
    RunNotFound,
    RunStateError,
)


def field_error(loc: Sequence, msg: str, kind: str = "value_error") -> RequestValidationError:
    """A 422 pointing at `loc` (e.g. ("body", "batch_size")), FastAPI's own shape."""
    return RequestValidationError([{"loc": tuple(loc), "msg": msg, "type": kind}])


class ApiError(Exception):
    """A plain-message error with a status (detail is a string)."""

    def __init__(self, status_code: int, detail: str):
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


def _json(status: int, detail) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail})


def install_handlers(app: FastAPI) -> None:
    """Register the mapping of our and the run manager's exceptions to HTTP statuses."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError):
        return _json(exc.status_code, exc.detail)

    @app.exception_handler(RunNotFound)
    async def _run_not_found(_: Request, exc: RunNotFound):
        return _json(404, exc.message)

    @app.exception_handler(ModelNotFound)
    async def _model_not_found(_: Request, exc: ModelNotFound):
        return _json(404, exc.message)

    @app.exception_handler(RunStateError)
    async def _state(_: Request, exc: RunStateError):
        return _json(409, exc.message)

    @app.exception_handler(QueueFull)
    async def _queue_full(_: Request, exc: QueueFull):
        return _json(429, exc.message)

    @app.exception_handler(ConfigError)
    async def _config(_: Request, exc: ConfigError):
        loc = ["body", *exc.field] if exc.field else ["body"]
        return _json(422, [{"loc": loc, "msg": exc.message, "type": "config_error"}])

    @app.exception_handler(ModelImportError)
    async def _import(_: Request, exc: ModelImportError):
        if exc.unreadable:
            return _json(400, exc.message)
        return _json(422, [{"loc": ["body", "file"], "msg": exc.message, "type": "import_error"}])
