"""Datasets as listed by the engine, plus the user's uploads."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class DatasetOut(BaseModel):
    name: str
    kind: str
    input_shape: list[int]
    num_classes: int
    train_size: int
    test_size: int
    description: str = ""
    available: bool = True
    uploaded: bool = False
    params: dict[str, Any] = {}
    owner_name: str | None = None  # uploads: who uploaded it
    bytes: int | None = None
