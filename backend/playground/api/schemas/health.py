"""GET /api/health."""

from __future__ import annotations

from pydantic import BaseModel


class RunCounts(BaseModel):
    active: int
    queued: int


class Health(BaseModel):
    status: str
    version: str
    time: float
    runs: RunCounts
    limits: dict[str, int]
