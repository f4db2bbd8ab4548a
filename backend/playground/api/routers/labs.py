"""The Learn labs: small server computations behind the Learn tab's interactive figures.

POST /api/labs/differentiation   f(x), forward/central differences, dual-number and backward() derivatives, error vs h
POST /api/labs/perceptron        the binary or multi-class perceptron rule on a 2-D toy set, every update recorded
POST /api/labs/softmax           softmax probabilities, cross-entropy and its gradient w.r.t. the logits
POST /api/labs/activations       an activation and its slope (by backward()), and the gradient through a chain of them
POST /api/labs/descent           MSE loss surface of y = w x + b, full-batch GD and mini-batch SGD paths
POST /api/labs/linear-stack      dense-dense-dense with and without ReLU: collapse check and training on circle
POST /api/labs/vectorize         a Python loop against NumPy dot / matmul, timed
POST /api/labs/graph             an expression's computation graph: values, gradients, fan-out parts, duals
POST /api/labs/conv              conv2d on a small grid: output, padded input, SAME/VALID pads, the size formula
POST /api/labs/pool              max or average pooling on a small grid, with each max's position
POST /api/labs/approximation     a box from two steep sigmoids, and N boxes following sin (universal approximation)

The light endpoints are plain `def`: FastAPI runs them in its threadpool, off the
event loop. The heavier ones (perceptron, descent, linear-stack, vectorize: 0.1-1 s
of a core at their limits) run there too, each in one of settings.max_labs slots
(429 with Retry-After when the slots and their queue are full), so a class
clicking at once cannot fill the threadpool every other request waits for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from threadpoolctl import threadpool_limits

from playground.api.deps import SettingsDep
from playground.api.errors import field_error
from playground.api.schemas.common import ERROR_RESPONSES, Responses
from playground.api.schemas.labs import (
    ActivationsRequest,
    ApproximationRequest,
    ConvRequest,
    DescentRequest,
    DifferentiationRequest,
    GraphRequest,
    LinearStackRequest,
    PerceptronRequest,
    PoolRequest,
    SoftmaxRequest,
    VectorizeRequest,
)
from playground.api.settings import Settings
from playground.viz.labs import LabError, finite
from playground.viz.labs.activations import activations_lab
from playground.viz.labs.approximation import approximation_lab
from playground.viz.labs.conv_lab import conv_lab, mnist_sample, pool_lab
from playground.viz.labs.descent import descent_lab
from playground.viz.labs.differentiation import differentiate
from playground.viz.labs.expression import ExpressionError
from playground.viz.labs.graph import graph_lab
from playground.viz.labs.linear_stack import linear_stack_lab
from playground.viz.labs.perceptron import perceptron_trace
from playground.viz.labs.softmax import softmax_lab
from playground.viz.labs.vectorize import vectorize_lab

router = APIRouter(prefix="/labs", tags=["labs"])
R: Responses = {422: ERROR_RESPONSES[422]}
HEAVY: Responses = {**R, 429: ERROR_RESPONSES[429]}
MAX_MATMUL_SIDE = 80  # a Python triple loop of 80^3 steps stays well under a second


def _lab(fn: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        return finite(fn(*args, **kwargs))
    except LabError as err:
        raise field_error(("body", err.field), err.message) from err


async def _heavy(request: Request, fn: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``_lab(fn, ...)`` in the threadpool, in one of the labs' slots."""
    async with request.app.state.labs.slot():
        return await run_in_threadpool(_lab, fn, *args, **kwargs)


@router.post("/differentiation", responses=R)
def differentiation(body: DifferentiationRequest) -> dict[str, Any]:
    return _lab(differentiate, body.expression, body.x, body.h)


@router.post("/perceptron", responses=HEAVY)
async def perceptron(body: PerceptronRequest, request: Request) -> dict[str, Any]:
    return await _heavy(request, perceptron_trace, body.dataset, body.n_samples, body.lr, body.max_epochs,
                        body.seed, body.classes)


@router.post("/softmax", responses=R)
def softmax(body: SoftmaxRequest) -> dict[str, Any]:
    if not body.bounded_logits():
        raise field_error(("body", "logits"), "every logit must lie in [-50, 50]")
    return _lab(softmax_lab, body.logits, body.label, body.temperature)


@router.post("/activations", responses=R)
def activations(body: ActivationsRequest) -> dict[str, Any]:
    return _lab(activations_lab, body.activation, body.x, body.depth, body.weight, body.alpha)


@router.post("/descent", responses=HEAVY)
async def descent(body: DescentRequest, request: Request) -> dict[str, Any]:
    return await _heavy(request, descent_lab, **body.model_dump())


def _one_blas_thread(fn: Callable[..., dict[str, Any]], *args: Any, **kwargs: Any) -> dict[str, Any]:
    with threadpool_limits(limits=1):
        return fn(*args, **kwargs)


@router.post("/linear-stack", responses=HEAVY)
async def linear_stack(body: LinearStackRequest, request: Request) -> dict[str, Any]:
    # One BLAS thread: the lab's matrices are tiny, and the runs' workers need the cores.
    return await _heavy(request, _one_blas_thread, linear_stack_lab, **body.model_dump())


@router.post("/vectorize", responses=HEAVY)
async def vectorize(body: VectorizeRequest, request: Request) -> dict[str, Any]:
    if body.operation == "matmul" and body.size > MAX_MATMUL_SIDE:
        raise field_error(("body", "size"), f"matmul size must be at most {MAX_MATMUL_SIDE}")
    # One BLAS thread: a fair single-core comparison, and no thread start-up in the timing.
    return await _heavy(request, _one_blas_thread, vectorize_lab, body.operation, body.size)


@router.post("/graph", responses=R)
def graph(body: GraphRequest) -> dict[str, Any]:
    try:
        return _lab(graph_lab, body.expression, body.values, body.wrt, body.h)
    except ExpressionError as err:
        # The position is data (ctx), so the page can point at the character without parsing text.
        raise RequestValidationError([{"loc": ("body", "expression"), "msg": str(err),
                                       "type": "expression_syntax", "ctx": {"position": err.position}}]) from err


def _grid(body: ConvRequest | PoolRequest, settings: Settings) -> tuple[Any, dict[str, Any]]:
    """The input grid of a conv/pool request: its `input`, or an MNIST test image."""
    if (body.input is None) == (body.mnist_index is None):
        raise field_error(("body", "input"), "give exactly one of input and mnist_index")
    if body.input is not None:
        return body.input, {}
    sample = _lab(mnist_sample, body.mnist_index, settings.data_dir, settings.cache_dir)
    return sample["input"], {"mnist_label": sample["label"], "input": sample["input"]}


@router.post("/conv", responses=R)
def conv(body: ConvRequest, settings: SettingsDep) -> dict[str, Any]:
    grid, extra = _grid(body, settings)
    with threadpool_limits(limits=1):
        return {**_lab(conv_lab, grid, body.kernel, body.stride, body.padding, body.bias), **extra}


@router.post("/pool", responses=R)
def pool(body: PoolRequest, settings: SettingsDep) -> dict[str, Any]:
    grid, extra = _grid(body, settings)
    return {**_lab(pool_lab, grid, body.mode, body.window, body.stride, body.padding), **extra}
@router.post("/approximation", responses=R)
def approximation(body: ApproximationRequest) -> dict[str, Any]:
    return _lab(approximation_lab, body.a, body.b, body.slope, body.height, body.boxes)
