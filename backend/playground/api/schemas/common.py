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
