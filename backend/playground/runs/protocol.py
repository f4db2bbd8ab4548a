"""The run manager's interface, as the API layer sees it.

``RunManager`` (manager.py) implements this protocol; the API codes against it.
Every method is a coroutine (database and file work happen off the event loop)
except ``subscribe``, which returns an async iterator at once.

Settings: ``ManagerSettings`` below, which api/settings.Settings (``PLAYGROUND_*``)
provides with the defaults and bounds of each; the manager reads every one.

Run config (``create``), the body of ``POST /api/runs`` (docs/api.md)::

    {"spec": {...}, "dataset": "mnist" | "circle" | ... | "upload:<id>",
     "dataset_params": {"noise", "n_samples", "val_split", "path", "class_fractions"},
     "initial_weights": {"run_id": "r_.."} | {"model_id": "m_.."} | None,
     "name": "my run", **training settings}

The training settings (epochs, steps, batch_size, optimizer, lr, ...) are
engine/run_config.py's API_FIELDS, with their defaults and bounds there.

Run record (``get``, ``list``, every control method): the run record of
docs/api.md - ``id, name, status, message, created_at, updated_at, started_at,
finished_at, spec, dataset, dataset_params, config, progress {step, epoch,
total_steps, fraction}, queue_position, latest {loss, accuracy, lr, train,
val}, final, best_val_loss, checkpoint {step, best_step} | None, resumable``,
and while a worker runs it, ``worker {pid, blas_threads}``.

Status values: queued, running, paused, finished, stopped, failed, diverged,
interrupted. ``queue_position`` is 1-based while queued, else None.

Events from ``subscribe`` (each has ``type`` and ``ts``; shapes in runs/events.py):
``{"type": "state", "run": record}`` first, then the engine's events as the
worker forwards them: ``step`` (aggregated to ~20/s, with ``loss_mean``,
``accuracy_mean`` over the aggregated steps and ``steps_per_s``), ``epoch``,
``status``, ``snapshot`` (~2/s while someone watches, every 2 s otherwise,
one at the start and a last one with ``"final": true`` after the run ends),
``eval``, ``done``. Summaries of snapshots (at most one per second, at most
500 per run: runs/snapshots.py) are kept as metric kind ``"snapshot"``.
The iterator ends after the run reaches a terminal status (its last ``status``
and ``done`` delivered) or when the run is deleted.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any, Protocol

from playground.runs.owner import LOCAL, Owner

# Ids the manager makes ("r_" / "m_" + hex): anything else from a request is
# refused before it comes near a path (an id like "../runs/<other>" would
# otherwise name another run's files).
RUN_ID_PATTERN = r"^r_[0-9a-f]{6,32}$"
MODEL_ID_PATTERN = r"^m_[0-9a-f]{6,32}$"
TERMINAL = ("finished", "stopped", "failed", "diverged", "interrupted")
ACTIVE = ("queued", "running", "paused")
STATUSES = ACTIVE + TERMINAL


class ManagerSettings(Protocol):
    """What the run manager reads from the server's settings (api/settings.py
    declares each, with its default and bounds, settable as PLAYGROUND_<NAME>)."""

    home: Path
    database_url: str  # "sqlite:///path"; empty: HOME/playground.db
    max_runs: int  # worker processes training at once
    max_queue: int  # runs waiting for a worker; beyond -> QueueFull
    runs_kept: int  # terminal runs kept, older ones pruned; 0 keeps every run
    data_dir: Path | None  # PLAYGROUND_DATA_DIR for load_dataset
    blas_threads_per_run: int  # threadpoolctl limit inside each worker
    blas_env: bool  # also set OMP/OPENBLAS/MKL_NUM_THREADS in the child
    snapshot_interval_s: float  # weight snapshots while someone watches
    snapshot_idle_interval_s: float  # ... while nobody watches (for the history)
    step_event_interval_s: float  # step events aggregated to this period
    checkpoint_interval_s: float  # latest checkpoint at most this often (and each epoch)
    max_runs_per_user: int  # runs one limited owner may have training (runs/owner.py)
    max_queued_per_user: int  # runs one limited owner may have waiting; beyond -> UserLimit
    ray_address: str | None  # the Ray cluster; None: start a local Ray
    store_failure_grace_s: float  # store writes failing this long (full disk): running runs fail
    # An imported model's spec is held to the same limits as a new run's.
    max_params: int
    max_layers: int
    max_input_size: int
    max_activation_size: int

    # Read-only here, so Settings' narrower Literal["local", "ray"] satisfies it
    # (a plain protocol attribute must match its type exactly).
    @property
    def executor(self) -> str:
        """"local" (worker processes) or "ray" (runs/executor.py)."""
        ...


class RunManagerProtocol(Protocol):
    async def start(self) -> None:
        """Open the store; runs left queued/running/paused by a server that died
        become "interrupted" (resumable from their last checkpoint)."""

    async def shutdown(self) -> None:
        """Ask workers to checkpoint and stop (killed after a few seconds), mark
        their runs and the queued ones "interrupted", flush and close the store."""

    async def create(self, config: dict, owner: Owner = LOCAL) -> dict:
        """Validate ``config`` (ConfigError naming the field), store the run for
        ``owner`` and start it, or queue it (status "queued", queue_position).
        QueueFull when no worker is free and max_queue runs already wait;
        UserLimit when the owner already has their share."""

    async def get(self, run_id: str) -> dict:
        """The run record. RunNotFound."""

    async def list(self, status: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        """Run records, newest first, optionally only one status."""

    async def pause(self, run_id: str) -> dict:
        """running -> paused. RunStateError otherwise (already paused is fine)."""

    async def resume(self, run_id: str) -> dict:
        """paused -> running; interrupted (or failed with a checkpoint) -> queued
        again, restarting from its latest checkpoint, or from the start when it
        was interrupted before its first one (QueueFull possible)."""

    async def stop(self, run_id: str) -> dict:
        """running/paused -> stopped (the worker checkpoints first); a queued run
        leaves the queue as stopped. RunStateError on terminal runs."""

    async def step(self, run_id: str, n: int = 1) -> dict:
        """Run n more steps then pause (running or paused runs)."""

    async def update(self, run_id: str, settings: dict) -> dict:
        """Change optimizer settings (lr, momentum, nesterov, weight_decay, beta1,
        beta2, eps) and/or ``name``. A running/paused run applies them at its
        next step; the optimizer validates (ValueError/ConfigError -> 422).
        Queued runs get them in their config; terminal runs only accept name."""

    async def delete(self, run_id: str) -> None:
        """Stop the worker if any, remove the run, its metrics and files."""

    async def metrics(self, run_id: str, kind: str = "step", offset: int = 0,
                      limit: int | None = None, max_points: int | None = None,
                      since_step: int | None = None) -> dict:
        """``{"run_id", "kind", "total", "offset", "points"}``; kind "step",
        "epoch" or "eval"; offset/limit page the history, then max_points
        downsamples evenly, always keeping the last point."""

    def subscribe(self, run_id: str) -> AsyncGenerator[dict, None]:
        """Live events of one run (see module docstring). Raises RunNotFound on
        the first ``__anext__`` for an unknown run. Each subscriber has a bounded
        latest-state mailbox: step and snapshot events coalesce, so a slow
        reader skips intermediate ones and never slows the run."""

    async def request_snapshot(self, run_id: str) -> None:
        """Ask the worker for a weight snapshot now (websocket "snapshot")."""

    async def set_speed(self, run_id: str, rate: float | None) -> dict:
        """Slow motion: at most ``rate`` steps per second (None: full speed), from the
        next step of a live run (or when an interrupted run is resumed)."""

    # builtins.list: inside this class `list` names the method above.
    async def loss_trace(self, run_id: str) -> builtins.list[float]:
        """A short loss sparkline of the run (runs/traces.py), for the class page."""

    async def get_model(self, run_id: str, which: str = "latest") -> Any:
        """The engine Model with the run's latest (or "best") checkpoint
        weights, cached and refreshed when a newer checkpoint exists. The object
        is shared between callers. RunStateError if no checkpoint exists yet."""

    async def import_model(self, zip_bytes: bytes, name: str | None = None, owner: Owner = LOCAL) -> dict:
        """Import an export zip -> model record ``{id, name, created_at, spec,
        total_params, source_run, metrics}``. ModelImportError."""

    async def get_model_record(self, model_id: str) -> dict:
        """Imported model record. ModelNotFound."""

    async def list_models(self) -> builtins.list[dict]:
        """Imported model records, newest first."""

    async def get_imported_model(self, model_id: str) -> Any:
        """The engine Model of an imported model (cached). ModelNotFound."""

    async def delete_model(self, model_id: str) -> None:
        """Remove an imported model. ModelNotFound."""

    async def export(self, run_id: str, which: str = "latest") -> bytes:
        """Zip bytes: spec.json, weights.npz, metrics.json, run.json, config.json.
        RunStateError if the run has no checkpoint yet."""

    def worker_pid(self, run_id: str) -> int | None:
        """Process id of the run's worker, None when it has none."""

    def counts(self) -> dict:
        """``{"active": running+paused, "queued": n}`` for /api/health."""

    @property
    def max_runs(self) -> int:
        """Runs training at once (the server's setting, or a cluster's capacity)."""
