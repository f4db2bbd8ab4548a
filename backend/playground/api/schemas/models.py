"""Model specs (validate) and imported models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ValidateRequest(BaseModel):
    spec: dict[str, Any] = Field(description="The engine's model spec (input_shape, layers, loss)")
    dataset: str | None = Field(
        default=None, max_length=200,
        description="A dataset name (built-in or upload): the spec's loss and last layer must also fit its targets")


class LayerReport(BaseModel):
    index: int
    type: str
    input_shape: list[int]
    output_shape: list[int]
    params: int
    detail: dict[str, Any] = {}


class ValidateResponse(BaseModel):
    valid: bool = True
    total_params: int
    output_shape: list[int]
    loss: str | None = None
    num_outputs: int | None = None
    layers: list[LayerReport]
    warnings: list[str] = Field(default=[], description="what the engine noticed but allows")


class ModelRecord(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())

    id: str
    name: str = ""
    created_at: float | None = None
    spec: dict[str, Any]
    total_params: int | None = None
    source_run: str | None = None
    metrics: Any = None
    owner: str | None = None
    owner_name: str | None = None
