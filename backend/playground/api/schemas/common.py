"""Shared schema pieces: numeric arrays as nested lists, statistics, the error shape."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

# Nested lists of numbers (images, maps, weights); their shape is checked by
# the code that converts them, which names the field at fault.
NestedFloats = list[Any]


class Stats(BaseModel):
    mean: float
    std: float
    min: float
    max: float
    norm: float


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(BaseModel):
    detail: list[ErrorItem] | str


# A route's `responses=` argument (FastAPI's own type: status -> OpenAPI fields).
Responses = dict[int | str, dict[str, Any]]

ERROR_RESPONSES: Responses = {
    401: {"model": ErrorOut, "description": "No session, or an unknown token (tokens mode)"},
    403: {"model": ErrorOut, "description": "Someone else's: only its owner or the teacher may do this"},
    404: {"model": ErrorOut, "description": "Unknown id"},
    409: {"model": ErrorOut, "description": "Not possible in the current state"},
    422: {"model": ErrorOut, "description": "Invalid input; loc names the field"},
    429: {"model": ErrorOut, "description": "A limit was reached: the message names it; Retry-After says when"},
    507: {"model": ErrorOut, "description": "The server's disk is full; nothing was kept"},
}

# A file upload (a dataset or a model): unreadable 400, too big 413, invalid
# 422, over a quota 429, disk full 507; 400 and 413 carry the 422's shape.
UPLOAD_RESPONSES: Responses = {
    400: ERROR_RESPONSES[422], 413: ERROR_RESPONSES[422], 422: ERROR_RESPONSES[422],
    429: ERROR_RESPONSES[429], 507: ERROR_RESPONSES[507],
}
