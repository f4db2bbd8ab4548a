"""Request bodies of the Learn labs (/api/labs). Every number is bounded, so a
request cannot make the server work long; pydantic's 422 names the field.
Responses are the labs' own JSON dicts (see playground.viz.labs)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from playground.viz.labs.differentiation import EXPRESSIONS, H_RANGE, X_RANGE

Expression = Literal[tuple(EXPRESSIONS)]  # type: ignore[valid-type]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DifferentiationRequest(_Body):
    expression: Expression = Field(default="x*sigmoid(x) + exp(-x**2)/(1+x)", description="one of the lab's expressions")
    x: float = Field(default=0.5, ge=X_RANGE[0], le=X_RANGE[1])
    h: float = Field(default=1e-5, ge=H_RANGE[0], le=H_RANGE[1], description="finite-difference step")


class PerceptronRequest(_Body):
    dataset: Literal["separable", "xor", "overlapping"] = Field(
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
    activation: Literal["sigmoid", "tanh", "relu", "leaky_relu"] = "sigmoid"
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
    optimizer: Literal["sgd", "momentum", "adam"] = "sgd"
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class LinearStackRequest(_Body):
    hidden: int = Field(default=8, ge=2, le=32)
    steps: int = Field(default=300, ge=0, le=1000)
    lr: float = Field(default=0.03, gt=0, le=1)
    n_samples: int = Field(default=200, ge=20, le=500)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class VectorizeRequest(_Body):
    operation: Literal["dot", "matmul"] = "dot"
    size: int = Field(default=10000, ge=1, le=200000, description="vector length (dot, <= 200000) or matrix side (matmul, <= 80)")
