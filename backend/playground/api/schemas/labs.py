"""Request bodies of the Learn labs (/api/labs). Every number is bounded, so a
request cannot make the server work long; pydantic's 422 names the field.
Responses are the labs' own JSON dicts (see playground.viz.labs)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from playground.engine.layers import PADDINGS
from playground.engine.optim import OPTIMIZERS
from playground.viz.labs.activations import NAMES as LAB_ACTIVATIONS
from playground.viz.labs.conv_lab import POOL_MODES
from playground.viz.labs.differentiation import EXPRESSIONS, H_RANGE, X_RANGE
from playground.viz.labs.expression import MAX_LENGTH as EXPRESSION_MAX
from playground.viz.labs.expression import MAX_VARIABLES
from playground.viz.labs.graph import H_RANGE as GRAPH_H_RANGE
from playground.viz.labs.perceptron import DATASETS as PERCEPTRON_DATASETS
from playground.viz.labs.vectorize import OPERATIONS as VECTOR_OPERATIONS

# Built from the tables that define them (api/vocabularies.py serves the same);
# mypy cannot read a Literal made at import time, so each carries the ignore.
_EXPRESSION_NAMES = tuple(EXPRESSIONS)
Expression = Literal[_EXPRESSION_NAMES]  # type: ignore[valid-type]
LabActivation = Literal[LAB_ACTIVATIONS]  # type: ignore[valid-type]
Optimizer = Literal[tuple(OPTIMIZERS)]  # type: ignore[valid-type]
Padding = Literal[PADDINGS]  # type: ignore[valid-type]
PoolMode = Literal[tuple(POOL_MODES)]  # type: ignore[valid-type]
PerceptronData = Literal[PERCEPTRON_DATASETS]  # type: ignore[valid-type]
VectorOperation = Literal[VECTOR_OPERATIONS]  # type: ignore[valid-type]


class _Body(BaseModel):
    # strict: true/false are not the numbers 1/0 (lax pydantic takes them as such).
    model_config = ConfigDict(extra="forbid", strict=True)


class DifferentiationRequest(_Body):
    expression: Expression = Field(default="x*sigmoid(x) + exp(-x**2)/(1+x)", description="one of the lab's expressions")
    x: float = Field(default=0.5, ge=X_RANGE[0], le=X_RANGE[1])
    h: float = Field(default=1e-5, ge=H_RANGE[0], le=H_RANGE[1], description="finite-difference step")


class PerceptronRequest(_Body):
    dataset: PerceptronData = Field(
        default="separable", description='"xor" only with classes = 2; "overlapping" blobs may not separate')
    classes: int = Field(default=2, ge=2, le=4, description="2: binary perceptron; 3 or 4: multi-class (argmax) on blobs")
    n_samples: int = Field(default=30, ge=4, le=200)
    lr: float = Field(default=1.0, gt=0, le=10)
    max_epochs: int = Field(default=30, ge=1, le=500, description="capped so epochs x n_samples <= 2000")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class SoftmaxRequest(_Body):
    logits: list[float] = Field(default=[2.0, 1.0, 0.1], min_length=2, max_length=10)
    label: int = Field(default=0, ge=0, le=9, description="the true class, below len(logits)")
    temperature: float = Field(default=1.0, ge=0.05, le=20)

    def bounded_logits(self) -> bool:
        return all(-50 <= v <= 50 for v in self.logits)


class ActivationsRequest(_Body):
    activation: LabActivation = "sigmoid"
    x: float = Field(default=0.5, ge=-6, le=6, description="input of the first layer of the chain")
    depth: int = Field(default=10, ge=1, le=30)
    weight: float = Field(default=1.0, ge=-5, le=5, description="the weight w of every layer a_k = f(w a_(k-1))")
    alpha: float = Field(default=0.01, ge=0, le=0.5, description="leaky ReLU's slope for z < 0")


class ApproximationRequest(_Body):
    a: float = Field(default=-1.0, ge=-4, le=4, description="left wall of the box")
    b: float = Field(default=1.0, ge=-4, le=4, description="right wall of the box")
    slope: float = Field(default=10.0, gt=0, le=100, description="w1 of both units: how steep the walls are")
    height: float = Field(default=1.0, ge=-3, le=3, description="the output weights +h and -h")
    boxes: int = Field(default=0, ge=0, le=50, description="boxes following sin on [-3, 3] (0: none)")


class DescentRequest(_Body):
    n_samples: int = Field(default=100, ge=10, le=500)
    batch_size: int = Field(default=8, ge=1, le=500)
    lr: float = Field(default=0.1, gt=0, le=5)
    steps: int = Field(default=100, ge=1, le=1000)
    start_w: float = Field(default=-2.0, ge=-10, le=10)
    start_b: float = Field(default=3.0, ge=-10, le=10)
    optimizer: Optimizer = "sgd"  # type: ignore[valid-type]
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class LinearStackRequest(_Body):
    hidden: int = Field(default=8, ge=2, le=32)
    steps: int = Field(default=300, ge=0, le=1000)
    lr: float = Field(default=0.03, gt=0, le=1)
    n_samples: int = Field(default=200, ge=20, le=500)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class VectorizeRequest(_Body):
    operation: VectorOperation = "dot"
    size: int = Field(default=10000, ge=1, le=200000, description="vector length (dot, <= 200000) or matrix side (matmul, <= 80)")


# --- see the math: computation graph, convolution, pooling ----------------------------
# Strict numbers: JSON true/false are not 1/0 here, and an int is not silently a float
# where a count is meant.

Grid = list[list[StrictFloat]]
GridC = list[list[list[StrictFloat]]]
Kernel4 = list[list[list[list[StrictFloat]]]]


class GraphRequest(_Body):
    expression: str = Field(default="x*x + x", max_length=EXPRESSION_MAX,
                            description="numbers, variables, + - * / **, exp log sin cos tanh sigmoid relu")
    values: dict[Annotated[str, Field(max_length=EXPRESSION_MAX)], StrictFloat] = Field(
        default_factory=lambda: {"x": 3.0}, max_length=MAX_VARIABLES * 2, description="a number for every variable")
    wrt: str | None = Field(default=None, max_length=EXPRESSION_MAX, description="forward mode seeds this variable; default the first")
    h: StrictFloat = Field(default=1e-5, ge=GRAPH_H_RANGE[0], le=GRAPH_H_RANGE[1], description="central-difference step")


class ConvRequest(_Body):
    input: Grid | GridC | None = Field(default=None, description="H x W or H x W x C numbers (H, W <= 32, C <= 4)")
    mnist_index: StrictInt | None = Field(default=None, ge=0, description="instead of input: this MNIST test image (28 x 28)")
    kernel: Grid | Kernel4 = Field(description="f x f, or f x f x C x K (a filter bank of K filters), f <= 7, K <= 8")
    stride: StrictInt = Field(default=1, ge=1, le=4)
    padding: StrictInt | Padding = Field(default="valid", description="zeros on every side (0-3), or SAME / VALID")
    bias: StrictFloat | list[StrictFloat] = Field(default=0.0, description="one number, or one per filter")


class PoolRequest(_Body):
    input: Grid | GridC | None = Field(default=None, description="H x W or H x W x C numbers (H, W <= 32, C <= 4)")
    mnist_index: StrictInt | None = Field(default=None, ge=0, description="instead of input: this MNIST test image (28 x 28)")
    mode: PoolMode = "max"  # type: ignore[valid-type]
    window: StrictInt = Field(default=2, ge=1, le=4)
    stride: StrictInt | None = Field(default=None, ge=1, le=4, description="default: the window size")
    padding: Padding = "valid"
