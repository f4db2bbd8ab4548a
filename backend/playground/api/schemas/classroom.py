"""The class page and presenter mode: tiles, leaderboard, pins."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class Pin(BaseModel):
    """What the teacher shows the room: a run (by id), a tab or a Learn lab (by name)."""

    kind: Literal["run", "tab", "lab"]
    target: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class PinOut(BaseModel):
    pin: Pin | None
    version: int = Field(description="increases with every change; followers compare it")


class Tile(BaseModel):
    id: str
    name: str
    owner: str | None
    owner_name: str | None
    status: str
    dataset: str | None
    summary: str
    step: int = 0
    fraction: float = 0.0
    loss: float | None = None
    accuracy: float | None = None
    test_accuracy: float | None = None
    trace: list[float] = []


class ClassView(BaseModel):
    tiles: list[Tile]
    leaderboard: list[Tile]
    counts: dict[str, int]
    limits: dict[str, int]
    rates: dict[str, str]
    pin: PinOut
    extra: dict[str, Any] = {}
