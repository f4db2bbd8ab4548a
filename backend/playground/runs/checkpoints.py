"""Checkpoints of a run on disk: ``HOME/runs/<id>/checkpoints/{latest,best}/``.

Each checkpoint directory holds

- ``weights.npz``  the model's weights in the engine's format (keys
  ``layers.{i}.weight``), what predict/export/import read;
- ``trainer.npz`` + ``trainer.json``  the Trainer's ``state_dict()`` (optimizer
  state, counters, rng state): every array goes to the npz under a generated
  key and the JSON keeps the structure with ``{"__array__": key}`` in its place;
- ``meta.json``  ``{"step", "epoch", "time", "val_loss"}``.

Nothing is pickled; arrays load with ``allow_pickle=False``. A checkpoint is
written into a temporary directory and swapped in with renames, so a reader
(the server loading weights for predict while the worker trains) sees either
the previous checkpoint or the new one, never half of one.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np

KINDS = ("latest", "best")


def run_dir(home: Path, run_id: str) -> Path:
    return Path(home) / "runs" / run_id


def checkpoint_dir(home: Path, run_id: str, kind: str = "latest") -> Path | None:
    """The directory of an existing checkpoint (or of the one being swapped
    out, during the instant between the two renames), else None."""
    if kind not in KINDS:
        raise ValueError(f"checkpoint kind must be one of {KINDS}, got {kind!r}")
    base = run_dir(home, run_id) / "checkpoints"
    for path in (base / kind, base / f"{kind}.old"):
        if (path / "meta.json").is_file():
            return path
    return None


def save(home: Path, run_id: str, kind: str, weights: dict[str, np.ndarray],
         trainer_state: dict | None, meta: dict) -> Path:
    base = run_dir(home, run_id) / "checkpoints"
    base.mkdir(parents=True, exist_ok=True)
    final, old = base / kind, base / f"{kind}.old"
    tmp = base / f"{kind}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        np.savez(tmp / "weights.npz", **{k: np.asarray(v) for k, v in weights.items()})
        if trainer_state is not None:
            arrays: dict[str, np.ndarray] = {}
            skeleton = _to_skeleton(trainer_state, arrays)
            np.savez(tmp / "trainer.npz", **arrays)
            (tmp / "trainer.json").write_text(json.dumps(skeleton))
        (tmp / "meta.json").write_text(json.dumps({"time": time.time(), **meta}))
    except BaseException:
        # A full disk: the previous checkpoint stays whole, the half-written one goes.
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return _swap(tmp, final, old)


def _swap(tmp: Path, final: Path, old: Path) -> Path:
    """Put a fully written checkpoint directory in place: readers see the old
    one or the new one (checkpoint_dir also looks at ``.old``), never half."""
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


FILES = ("weights.npz", "trainer.npz", "trainer.json", "meta.json")


def read_files(home: Path, run_id: str, kind: str) -> dict[str, bytes] | None:
    """A checkpoint's files as bytes (to ship it between machines), or None."""
    path = checkpoint_dir(home, run_id, kind)
    if path is None:
        return None
    return {name: (path / name).read_bytes() for name in FILES if (path / name).is_file()}


def install_files(home: Path, run_id: str, kind: str, files: dict[str, bytes]) -> Path:
    """Write a checkpoint received as bytes (read_files on another machine), atomically."""
    if kind not in KINDS or "meta.json" not in files or not set(files) <= set(FILES):
        raise ValueError(f"not a checkpoint: kind {kind!r}, files {sorted(files)}")
    base = run_dir(home, run_id) / "checkpoints"
    base.mkdir(parents=True, exist_ok=True)
    tmp = base / f"{kind}.tmp-{os.getpid()}-in"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        for name, data in files.items():
            (tmp / name).write_bytes(data)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return _swap(tmp, base / kind, base / f"{kind}.old")


def remove_partial(home: Path, run_id: str) -> None:
    """Remove checkpoints a killed worker left half-written (``<kind>.tmp-<pid>``)."""
    base = run_dir(home, run_id) / "checkpoints"
    for tmp in base.glob("*.tmp-*") if base.is_dir() else ():
        shutil.rmtree(tmp, ignore_errors=True)


def load_meta(path: Path) -> dict:
    return json.loads((Path(path) / "meta.json").read_text())


def load_weights(path: Path) -> dict[str, np.ndarray]:
    with np.load(Path(path) / "weights.npz", allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def load_trainer_state(path: Path) -> dict | None:
    path = Path(path)
    if not (path / "trainer.json").is_file():
        return None
    with np.load(path / "trainer.npz", allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    return _from_skeleton(json.loads((path / "trainer.json").read_text()), arrays)


def _to_skeleton(obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    """Nested dicts/lists with arrays -> JSON structure; arrays go to ``arrays``."""
    if isinstance(obj, np.ndarray):
        if obj.dtype == object:
            raise TypeError("object arrays cannot be checkpointed")
        key = f"a{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, dict):
        return {"__dict__": [[_to_skeleton(k, arrays), _to_skeleton(v, arrays)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_to_skeleton(v, arrays) for v in obj]}
    if isinstance(obj, list):
        return [_to_skeleton(v, arrays) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return {"__float__": repr(obj)}
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"cannot checkpoint a {type(obj).__name__}")


def _from_skeleton(obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(obj, list):
        return [_from_skeleton(v, arrays) for v in obj]
    if isinstance(obj, dict):
        if "__array__" in obj:
            return arrays[obj["__array__"]]
        if "__tuple__" in obj:
            return tuple(_from_skeleton(v, arrays) for v in obj["__tuple__"])
        if "__float__" in obj:
            return float(obj["__float__"])
        return {_from_skeleton(k, arrays): _from_skeleton(v, arrays) for k, v in obj["__dict__"]}
    return obj
