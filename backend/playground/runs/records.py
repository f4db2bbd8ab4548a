"""Run records: building them, folding worker messages into them, their public form.

A record is the row of the ``runs`` table as a dict (JSON columns decoded).
``record_update`` turns one worker message into the changed fields, always as
new dicts (never mutated in place: the store may be serialising the previous
ones on its flush thread).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from playground.runs.snapshots import SnapshotKeeper


@dataclass
class Active:
    """A run the manager is responsible for right now (queued, running, paused)."""

    rec: dict
    initial_weights_path: str | None = None
    resume: bool = False
    handle: object = None
    final: dict | None = None
    error: str | None = None
    held: list = field(default_factory=list)
    watched: bool = False
    deleting: bool = False
    shutting_down: bool = False
    # step(n) sent since the last pause/resume: "running" then means running
    # those steps, and resume turns them into a plain run (not a 409).
    stepping: bool = False
    snapshots: SnapshotKeeper = field(default_factory=SnapshotKeeper)
    done: asyncio.Event = field(default_factory=asyncio.Event)


def new_record(run_id: str, norm: dict) -> dict:
    now = time.time()
    train = norm["config"]
    return {"id": run_id, "name": norm.get("name") or run_id, "status": "queued", "message": "",
            "created_at": now, "updated_at": now, "started_at": None, "finished_at": None,
            "spec": norm["spec"], "dataset": norm["dataset"], "dataset_params": norm["dataset_params"],
            "config": train, "initial_weights": norm.get("initial_weights"),
            "progress": {"step": 0, "epoch": 0, "total_steps": train.get("steps"), "fraction": 0.0},
            "latest": {"loss": None, "accuracy": None, "lr": train["lr"], "train": None, "val": None},
            "final": None, "best_val_loss": None, "checkpoint": None}


def public(rec: dict, queue_position: int | None, resumable: bool) -> dict:
    out = dict(rec)
    out["queue_position"] = queue_position
    out["resumable"] = resumable
    return out


def _progress(rec: dict, **changes) -> dict:
    p = dict(rec.get("progress") or {})
    p.update(changes)
    total = p.get("total_steps")
    p["fraction"] = min(1.0, p.get("step", 0) / total) if total else 0.0
    return p


def record_update(rec: dict, msg: dict) -> dict:
    kind = msg.get("type")
    latest = rec.get("latest") or {}
    if kind == "started":
        return {"progress": _progress(rec, step=msg["step"], epoch=msg["epoch"],
                                      total_steps=msg["total_steps"],
                                      steps_per_epoch=msg["steps_per_epoch"]),
                # Live only (not a store column): which process trains, with how many BLAS threads.
                "worker": {"pid": msg.get("pid"), "blas_threads": msg.get("blas_threads")}}
    if kind == "step":
        new = {k: msg.get(k) for k in ("loss", "accuracy", "lr", "loss_mean", "accuracy_mean",
                                       "steps_per_s")}
        return {"progress": _progress(rec, step=msg["step"], epoch=msg["epoch"]),
                "latest": {**latest, **new}}
    if kind == "epoch":
        return {"progress": _progress(rec, step=msg["step"], epoch=msg["epoch"]),
                "latest": {**latest, "train": msg.get("train"), "val": msg.get("val")}}
    if kind == "status" and msg.get("status") in ("running", "paused"):
        return {"status": msg["status"]}
    if kind == "checkpoint":
        ck = dict(rec.get("checkpoint") or {})
        ck["best_step" if msg["kind"] == "best" else "step"] = msg["step"]
        ck["time"] = time.time()
        return {"checkpoint": ck, "best_val_loss": msg.get("best_val_loss")}
    return {}


def downsample(points: list, max_points: int | None) -> list:
    """Evenly spaced points, at most ``max_points``, always keeping the last."""
    n = len(points)
    if not max_points or max_points <= 0 or n <= max_points:
        return points
    if max_points == 1:
        return [points[-1]]
    stride = (n - 1) / (max_points - 1)
    return [points[round(i * stride)] for i in range(max_points)]
