"""What validating a spec gives back: SpecReport (one LayerInfo per layer) or a
SpecError naming the layer and the field at fault. spec.py fills them in;
their to_dict() is the JSON the API answers with."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Shape = tuple[int, ...]


class SpecError(ValueError):
    """layer: index in spec["layers"] (None for the whole spec); field: key at fault."""

    def __init__(self, layer: int | None, field: str | None, message: str):
        super().__init__(message)
        self.layer, self.field, self.message = layer, field, message

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.layer, "field": self.field, "message": self.message}


@dataclass
class LayerInfo:
    index: int
    type: str
    input_shape: Shape
    output_shape: Shape
    params: int
    config: dict[str, Any]          # the layer with every default filled in
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "type": self.type, "input_shape": list(self.input_shape),
                "output_shape": list(self.output_shape), "params": self.params,
                "config": dict(self.config), "detail": dict(self.detail)}


@dataclass
class SpecReport:
    input_shape: Shape
    layers: list[LayerInfo]
    total_params: int
    output_shape: Shape
    loss: str
    num_outputs: int
    spec: dict[str, Any]            # normalized: defaults filled in, loss set
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"input_shape": list(self.input_shape), "layers": [li.to_dict() for li in self.layers],
                "total_params": self.total_params, "output_shape": list(self.output_shape),
                "loss": self.loss, "num_outputs": self.num_outputs, "warnings": list(self.warnings)}
