"""Where a training run is, and the Trainer's checkpoint format.

`Progress` holds the counters of a run and the current epoch's batch order.
`checkpoint_state` gathers a flat dict (the Trainer's state_dict):

    "model.<key>"        weight arrays (Model.state_dict)
    "optim.<key>"        optimizer state: arrays, and numbers for its settings
    "trainer.<counter>"  step, epoch, batch_in_epoch, epoch_loss, epoch_correct,
                         epoch_seen, seconds: JSON-ready numbers
    "trainer.order"      the current epoch's permutation (int64 array), or None
                         between epochs and without shuffle
    "trainer.metrics"    train metrics of the last finished epoch and the last
                         validation metrics, as a JSON string
    "trainer.rng"        the shuffling Generator's state as a JSON string
    "trainer.model_rng"  the model's own Generator (dropout), when it has one

so a caller can keep the arrays in an .npz and the rest in JSON; numbers read
back as 0-d arrays are accepted too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # for annotations only: no runtime dependency on model.py
    from playground.engine.model import Model
    from playground.engine.optim import Optimizer


def _scalar(v: Any) -> Any:
    """A number stored either as itself (JSON) or as a 0-d array (.npz)."""
    return v.item() if isinstance(v, np.ndarray) else v


def rng_state(rng: np.random.Generator) -> str:
    return json.dumps(rng.bit_generator.state)


def set_rng_state(rng: np.random.Generator, state: str | np.ndarray) -> None:
    rng.bit_generator.state = json.loads(str(_scalar(state)))


@dataclass
class Progress:
    """Counters of a run: finished steps and epochs, position in the epoch,
    running sums of the current epoch (weighted by batch size), seconds trained."""

    step: int = 0
    epoch: int = 0
    batch_in_epoch: int = 0
    epoch_loss: float = 0.0
    epoch_correct: int = 0
    epoch_seen: int = 0
    seconds: float = 0.0
    order: np.ndarray | None = None
    last_train: dict[str, Any] = field(default_factory=lambda: {"loss": None, "accuracy": None})
    last_val: dict[str, Any] | None = None

    _INTS = ("step", "epoch", "batch_in_epoch", "epoch_correct", "epoch_seen")
    _FLOATS = ("epoch_loss", "seconds")

    def new_epoch(self) -> None:
        self.epoch += 1
        self.batch_in_epoch = 0
        self.epoch_loss, self.epoch_correct, self.epoch_seen = 0.0, 0, 0
        self.order = None

    def state_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {f"trainer.{k}": int(getattr(self, k)) for k in self._INTS}
        d.update({f"trainer.{k}": float(getattr(self, k)) for k in self._FLOATS})
        d["trainer.order"] = None if self.order is None else self.order.copy()
        d["trainer.metrics"] = json.dumps({"train": self.last_train, "val": self.last_val})
        return d

    def load_state_dict(self, d: dict[str, Any]) -> None:
        for k in self._INTS:
            setattr(self, k, int(_scalar(d.get(f"trainer.{k}", 0))))
        for k in self._FLOATS:
            setattr(self, k, float(_scalar(d.get(f"trainer.{k}", 0.0))))
        if "trainer.metrics" in d:
            saved = json.loads(str(_scalar(d["trainer.metrics"])))
            self.last_train, self.last_val = saved["train"], saved["val"]
        order = d.get("trainer.order")
        # None may come back from JSON as null or from an .npz as a 0-d object-free array.
        if order is None or np.asarray(order).ndim == 0:
            self.order = None
        else:
            self.order = np.asarray(order).astype(np.int64)


def checkpoint_state(model: Model, optimizer: Optimizer, progress: Progress,
                     rng: np.random.Generator) -> dict[str, Any]:
    """The flat checkpoint dict described in the module docstring."""
    d: dict[str, Any] = {f"model.{k}": np.array(v, copy=True) for k, v in model.state_dict().items()}
    for k, v in optimizer.state_dict().items():
        d[f"optim.{k}"] = np.array(v, copy=True) if isinstance(v, np.ndarray) else v
    d.update(progress.state_dict())
    d["trainer.rng"] = rng_state(rng)
    model_rng = getattr(model, "rng", None)
    if isinstance(model_rng, np.random.Generator):
        d["trainer.model_rng"] = rng_state(model_rng)
    return d


def load_checkpoint_state(d: dict[str, Any], model: Model, optimizer: Optimizer, progress: Progress,
                          rng: np.random.Generator) -> None:
    """Restore what checkpoint_state saved, in place."""
    model.load_state_dict({k[len("model."):]: np.asarray(v) for k, v in d.items()
                           if k.startswith("model.")})
    optimizer.load_state_dict({k[len("optim."):]: v for k, v in d.items() if k.startswith("optim.")})
    progress.load_state_dict(d)
    set_rng_state(rng, d["trainer.rng"])
    model_rng = getattr(model, "rng", None)
    if "trainer.model_rng" in d and isinstance(model_rng, np.random.Generator):
        set_rng_state(model_rng, d["trainer.model_rng"])
