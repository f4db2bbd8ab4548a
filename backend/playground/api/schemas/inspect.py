"""Predict, activations, weights, filters, decision grid and evaluation payloads."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from playground.api.schemas.common import NestedFloats, Stats
from playground.api.transforms import Transform


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: NestedFloats = Field(
        description="One input shaped like the spec's input (28x28, 28x28x1, [x, y]) or a batch of them",
    )
    transform: Transform | list[Transform] | None = Field(
        default=None,
        description="Image models: {shift: [dx, dy], rotate: degrees, scale}; a list gives one input per "
        "transform of the (single) input",
    )


class PredictResponse(BaseModel):
    probabilities: list[list[float]]
    predictions: list[int]
    input: NestedFloats = Field(description="The first input as the model saw it (28x28 for images)")


class TopChannel(BaseModel):
    channel: int
    score: float


class LayerActivation(BaseModel):
    index: int
    type: str
    shape: list[int]
    maps: NestedFloats | None = None
    values: list[float] | None = None
    top: list[TopChannel]
    stats: dict[str, float]


class ActivationsResponse(BaseModel):
    input: NestedFloats
    probabilities: list[float]
    prediction: int
    layers: list[LayerActivation]


class WeightStats(BaseModel):
    weight: Stats
    bias: Stats | None = None


class WeightsResponse(BaseModel):
    index: int
    type: str
    weight_shape: list[int]
    bias_shape: list[int] | None = None
    weight: NestedFloats
    bias: list[float] | None = None
    stats: WeightStats
    images: NestedFloats | None = None


class FiltersResponse(BaseModel):
    index: int
    shape: list[int]
    filters: NestedFloats
    raw_range: list[list[float]]


class Points(BaseModel):
    x: list[list[float]]
    y: list[Any]


class DecisionGrid(BaseModel):
    kind: Literal["grid"] = "grid"
    x_range: list[float]
    y_range: list[float]
    resolution: int
    classes: int
    probabilities: list[list[float]]
    labels: list[list[int]] | None = None
    train: Points
    test: Points


class Curve(BaseModel):
    x: list[float]
    y: list[float | None]


class FitCurve(BaseModel):
    """A model with one input: its output over an x grid, with the data points."""

    kind: Literal["curve"] = "curve"
    x_range: list[float]
    y_range: list[float]
    resolution: int
    curve: Curve
    train: Points
    test: Points


class LargestGap(BaseModel):
    best: int
    worst: int
    gap: float


class Misclassified(BaseModel):
    index: int
    label: int
    prediction: int
    image: NestedFloats


class ThresholdTable(BaseModel):
    """Per class c, the test samples called c when a prediction counts only at or
    above a confidence (the probability the model gives it): index [c][i] is for
    thresholds[i]. At threshold 0 these are the confusion matrix's columns."""
    thresholds: list[float]
    false_positives: list[list[int]] = Field(description="called c, but their label is another class")
    true_positives: list[list[int]] = Field(description="called c, and their label is c")
    positives: list[int] = Field(description="test samples whose label is c")
    negatives: list[int] = Field(description="test samples whose label is not c")


class Evaluation(BaseModel):
    accuracy: float | None
    loss: float | None
    num_classes: int
    confusion: list[list[int]]
    per_class_accuracy: list[float | None]
    largest_gap: LargestGap | None
    thresholds: ThresholdTable
    misclassified: list[Misclassified]


class UnitView(BaseModel):
    unit: int
    values: NestedFloats = Field(description="The unit's output: resolution x resolution (2 inputs) or resolution values (1 input)")
    dead: bool = Field(description="A ReLU unit that outputs 0 for every training point")
    weights: list[float] = Field(description="Its incoming weights, one per input of its layer")
    bias: float


class UnitLayer(BaseModel):
    index: int = Field(description="The dense layer's index in the spec")
    output_index: int = Field(description="The layer whose output the units are (the activation after it, if any)")
    activation: str | None
    units: list[UnitView]
    shown: int
    total: int
    dead: int


class UnitReadout(BaseModel):
    index: int
    weights: list[list[float]] = Field(description="Last dense layer's weights, (units shown, outputs)")
    bias: list[float] | None


class UnitInput(BaseModel):
    name: str
    label: str
    values: NestedFloats = Field(description="This input over the grid, as the first dense layer reads it")


class UnitViews(BaseModel):
    """Each hidden unit over the input plane (kind 2d) or line (kind 1d)."""

    kind: Literal["2d", "1d"]
    x_range: list[float]
    y_range: list[float] | None = None
    resolution: int
    x: list[float] | None = None
    layers: list[UnitLayer]
    readout: UnitReadout | None = None
    output: list[float] | None = Field(default=None, description="1 input: the network's raw last output along x")
    inputs: list[UnitInput] = []
    dead_checked_on: int | None = Field(default=None, description="How many training points the dead-unit test read")
