"""Error responses: every user mistake becomes a 4xx that names the field at fault.

Schema errors are FastAPI's 422 `{"detail": [{"loc", "msg", "type"}]}`; the
helpers here raise the same shape for checks pydantic cannot do (spec errors
point at `["body", "spec", "layers", i, field]`). Run-manager errors map to one
status each: not found 404, wrong state 409, queue full 429, bad config 422,
disk full 507. The inspect views' errors (viz/inspection.py): no such layer
404, a view that does not suit the model or dataset 409.
"""

from __future__ import annotations

import logging
import math
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from playground.engine.run_config import RunConfigError
from playground.runs.errors import (
    ModelImportError,
    ModelNotFound,
    QueueFull,
    RunNotFound,
    RunsError,
    RunStateError,
    StorageFull,
    UserLimit,
    is_disk_full,
)
from playground.viz.inspection import InspectionError, NoSuchLayer, NotApplicable

log = logging.getLogger(__name__)

# A body with thousands of bad items gets the first ones, each message bounded.
MAX_ERRORS = 50
MAX_MSG = 1000


def field_error(loc: Sequence[str | int], msg: str, kind: str = "value_error") -> RequestValidationError:
    """A 422 pointing at `loc` (e.g. ("body", "batch_size")), FastAPI's own shape."""
    return RequestValidationError([{"loc": tuple(loc), "msg": msg, "type": kind}])


class ApiError(Exception):
    """A plain-message error with a status (detail is a string)."""

    def __init__(self, status_code: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.headers = headers


def too_many(detail: str, retry_after_s: float) -> ApiError:
    """A 429 that says which limit and when to retry (also as Retry-After)."""
    seconds = max(1, math.ceil(retry_after_s))
    return ApiError(429, f"{detail}; retry in {seconds} s", {"Retry-After": str(seconds)})


# Runs free their share when they finish: no exact time to promise, a short retry.
RUN_RETRY_S = 10


def _json(status: int, detail: str | list[dict[str, object]], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail}, headers=headers)


def _plain(value: object) -> object:
    """A JSON-safe copy of an error's context: non-finite floats and odd objects
    (an exception in ctx["error"]) become text, so rendering can never fail."""
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def validation_detail(errors: Sequence[dict[str, Any]]) -> list[dict[str, object]]:
    """FastAPI's error items without the echoed `input`: it may hold NaN (not
    JSON, so FastAPI's own handler fails with a 500) or megabytes of the
    request. `loc`, `msg`, `type` (and a JSON-safe `ctx`) name the problem."""
    out = []
    for err in errors[:MAX_ERRORS]:
        item: dict[str, object] = {"loc": _plain(list(err.get("loc", ()))), "msg": str(err.get("msg", ""))[:MAX_MSG],
                "type": str(err.get("type", "value_error"))}
        if isinstance(err.get("ctx"), dict):
            item["ctx"] = _plain(err["ctx"])
        out.append(item)
    return out


# Errors whose message is the whole answer: their status, one each. The 429s
# (a limit reached) also say in Retry-After when to try again.
PLAIN_STATUS: dict[type[RunsError | InspectionError], int] = {
    RunNotFound: 404,
    ModelNotFound: 404,
    NoSuchLayer: 404,
    RunStateError: 409,
    NotApplicable: 409,
    QueueFull: 429,
    UserLimit: 429,
    StorageFull: 507,
}


def _plain_handler(status: int) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def handler(_: Request, exc: Exception) -> JSONResponse:
        message = exc.message if isinstance(exc, (RunsError, InspectionError)) else str(exc)
        headers = {"Retry-After": str(RUN_RETRY_S)} if status == 429 else None
        return _json(status, message, headers)

    return handler


def install_handlers(app: FastAPI) -> None:
    """Register the mapping of our and the run manager's exceptions to HTTP statuses."""

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _json(422, validation_detail(exc.errors()))

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _json(exc.status_code, exc.detail, exc.headers)

    # Writes that met a full disk outside the places that expect it (a run's
    # row, an upload's description): 507 too. Any other OSError/SQLite error
    # is the server's fault: a 500 that names no path.
    @app.exception_handler(OSError)
    @app.exception_handler(sqlite3.Error)
    async def _storage(_: Request, exc: Exception) -> JSONResponse:
        if is_disk_full(exc):
            return _json(507, StorageFull("the request's data").message)
        log.error("storage error", exc_info=exc)
        return _json(500, "internal server error (storage); see the server log")

    @app.exception_handler(RunConfigError)  # the engine's, and the run manager's ConfigError
    async def _config(_: Request, exc: RunConfigError) -> JSONResponse:
        loc = ["body", *exc.field] if exc.field else ["body"]
        return _json(422, [{"loc": loc, "msg": exc.message, "type": "config_error"}])

    @app.exception_handler(ModelImportError)
    async def _import(_: Request, exc: ModelImportError) -> JSONResponse:
        if exc.unreadable:
            return _json(400, exc.message)
        return _json(422, [{"loc": ["body", "file"], "msg": exc.message, "type": "import_error"}])

    for exc_class, status in PLAIN_STATUS.items():
        app.add_exception_handler(exc_class, _plain_handler(status))
