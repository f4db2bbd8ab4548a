"""The vocabularies the page offers, made from the tables that define them.

Every list here is read from its one definition: activations, paddings,
layer types and initializers from engine/layers.py, optimizers from engine/optim.py, learning-
rate schedules from engine/schedules.py, run statuses from runs/protocol.py,
the activations lab's choices from viz/labs/activations.py, the pooling lab's
modes from viz/labs/conv_lab.py, the perceptron lab's point sets from
viz/labs/perceptron.py, the vectorization lab's operations from
viz/labs/vectorize.py. The page gets them
in its bootstrap data (api/frontend.py) or from GET /api/vocabularies, and
never spells a list out itself (tests/api/test_vocabularies.py checks both).
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from playground.engine.layers import ACTIVATIONS, INIT_NAMES, LAYER_TYPES, PADDINGS, POOL_TYPES, WEIGHTED_TYPES
from playground.engine.optim import OPTIMIZERS
from playground.engine.schedules import LR_SCHEDULES
from playground.runs.protocol import ACTIVE, STATUSES, TERMINAL
from playground.viz.labs.activations import NAMES as LAB_ACTIVATIONS
from playground.viz.labs.conv_lab import POOL_MODES
from playground.viz.labs.perceptron import DATASETS as PERCEPTRON_DATASETS
from playground.viz.labs.vectorize import OPERATIONS as VECTOR_OPERATIONS


class OptimizerInfo(BaseModel):
    name: str
    label: str = Field(description="the name the page shows (the engine's class name)")
    settings: dict[str, Any] = Field(description="each setting and its default")


class RunStatuses(BaseModel):
    all: list[str]
    active: list[str] = Field(description="queued, running or paused: a worker may still change it")
    terminal: list[str] = Field(description="the run has ended (interrupted runs can be resumed)")


class Vocabularies(BaseModel):
    activations: list[str]
    paddings: list[str]
    layer_types: list[str]
    pool_types: list[str]
    weighted_types: list[str] = Field(description="layer types with learned weights")
    initializers: list[str]
    optimizers: list[OptimizerInfo]
    lr_schedules: list[str]
    run_statuses: RunStatuses
    lab_activations: list[str] = Field(description="the activations lab's choices")
    lab_pool_modes: list[str] = Field(description="the pooling lab's modes (max, avg)")
    lab_perceptron_datasets: list[str] = Field(description="the perceptron lab's point sets")
    lab_vector_operations: list[str] = Field(description="the vectorization lab's operations")


def vocabularies() -> Vocabularies:
    return Vocabularies(
        activations=list(ACTIVATIONS),
        paddings=list(PADDINGS),
        layer_types=list(LAYER_TYPES),
        pool_types=list(POOL_TYPES),
        weighted_types=list(WEIGHTED_TYPES),
        initializers=list(INIT_NAMES),
        optimizers=[OptimizerInfo(name=name, label=cls.__name__,
                                  settings={key: default for key, (default, _) in cls.SETTINGS.items()})
                    for name, cls in OPTIMIZERS.items()],
        lr_schedules=list(LR_SCHEDULES),
        run_statuses=RunStatuses(all=list(STATUSES), active=list(ACTIVE), terminal=list(TERMINAL)),
        lab_activations=list(LAB_ACTIVATIONS),
        lab_pool_modes=list(POOL_MODES),
        lab_perceptron_datasets=list(PERCEPTRON_DATASETS),
        lab_vector_operations=list(VECTOR_OPERATIONS),
    )
