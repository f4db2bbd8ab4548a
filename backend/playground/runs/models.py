"""ModelLibrary: engine Models for predict/inspect, export zips, imported models.

Models of runs are built from a run's checkpoint (latest or best) and cached
per (run, kind); a cached model is rebuilt when the checkpoint's weights file
changed (a running run writes a new one every few seconds). Imported models
live under ``HOME/models/<id>/`` (``spec.json`` + ``weights.npz``) with a row
in the store. All disk and NumPy work runs in threads, off the event loop.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import shutil
import sqlite3
import threading
import time
from pathlib import Path

from playground.runs import checkpoints
from playground.runs.errors import (
    ConfigError,
    ModelImportError,
    ModelNotFound,
    RunStateError,
    StorageFull,
    is_disk_full,
    without_paths,
)
from playground.runs.export import build_zip, read_zip
from playground.runs.protocol import MODEL_ID_PATTERN, RUN_ID_PATTERN
from playground.runs.store import RunStore


class ModelLibrary:
    def __init__(self, home: Path, store: RunStore):
        self.home = Path(home)
        self.store = store
        self._cache: dict[tuple[str, str], tuple[int, object]] = {}
        self._lock = threading.Lock()

    # -- a new run's initial weights ------------------------------------------------

    async def initial_weights(self, norm: dict) -> str | None:
        """The weights file a run starts from (``initial_weights`` of its config:
        an imported model or another run's best checkpoint), checked to fit its
        spec; ConfigError at the id otherwise."""
        iw = norm.get("initial_weights")
        if not iw:
            return None
        if "model_id" in iw:
            path = self.imported_weights_path(iw["model_id"])
            field = ("initial_weights", "model_id")
            if path is None:
                raise ConfigError(f"model '{iw['model_id']}' not found", field)
        else:
            field = ("initial_weights", "run_id")
            folder = self.weights_dir(iw["run_id"], "best")
            if folder is None:
                raise ConfigError(f"run '{iw['run_id']}' has no weights to start from", field)
            path = folder / "weights.npz"

        def check():
            from playground.engine.model import build_model, load_weights
            from playground.engine.weights_io import WeightsError

            try:
                load_weights(build_model(norm["spec"], seed=0), path)
            except WeightsError as exc:
                raise ConfigError(without_paths(f"initial weights do not fit the spec: {exc}"), field) from None
        await asyncio.to_thread(check)
        return str(path)

    # -- runs ----------------------------------------------------------------------

    def weights_dir(self, run_id: str, which: str = "latest") -> Path | None:
        """The checkpoint to read: ``which``, else the other kind, else None."""
        if not re.fullmatch(RUN_ID_PATTERN, run_id or ""):
            return None
        other = "best" if which == "latest" else "latest"
        return (checkpoints.checkpoint_dir(self.home, run_id, which)
                or checkpoints.checkpoint_dir(self.home, run_id, other))

    async def run_model(self, run_id: str, spec: dict, which: str = "latest"):
        return await asyncio.to_thread(self._run_model, run_id, spec, which)

    def _run_model(self, run_id: str, spec: dict, which: str):
        from playground.engine.model import build_model

        for _ in range(3):  # the worker may swap the checkpoint while we read it
            path = self.weights_dir(run_id, which)
            if path is None:
                raise RunStateError(f"run '{run_id}' has no weights yet (no checkpoint written)")
            try:
                stamp = (path / "weights.npz").stat().st_mtime_ns
                with self._lock:
                    hit = self._cache.get((run_id, which))
                if hit and hit[0] == stamp:
                    return hit[1]
                weights = checkpoints.load_weights(path)
            except FileNotFoundError:
                time.sleep(0.01)
                continue
            model = build_model(spec, seed=0)
            model.load_state_dict(weights)
            with self._lock:
                self._cache[(run_id, which)] = (stamp, model)
            return model
        raise RunStateError(f"run '{run_id}': its checkpoint is being rewritten, try again")

    def forget(self, key: str) -> None:
        with self._lock:
            for k in [k for k in self._cache if k[0] == key]:
                del self._cache[k]

    async def export(self, record: dict, metrics: dict, which: str = "latest") -> bytes:
        def work() -> bytes:
            path = self.weights_dir(record["id"], which)
            if path is None:
                raise RunStateError(f"run '{record['id']}' has no weights yet (no checkpoint written)")
            weights = (path / "weights.npz").read_bytes()
            return build_zip(record["spec"], weights, metrics, record, record.get("config") or {})
        return await asyncio.to_thread(work)

    # -- imported models --------------------------------------------------------------

    def model_dir(self, model_id: str) -> Path:
        return self.home / "models" / model_id

    async def import_zip(self, data: bytes, name: str | None = None, owner=None, **limits: int | None) -> dict:
        """``limits``: read_zip's max_params, max_layers, max_input_size, max_activation_size."""
        def work() -> dict:
            parsed = read_zip(data, **limits)
            model_id = "m_" + secrets.token_hex(5)
            folder = self.model_dir(model_id)
            run = parsed["run"] or {}
            source_name = run.get("name") if isinstance(run.get("name"), str) else None
            record = {"id": model_id, "name": name or source_name or model_id,
                      "created_at": time.time(), "spec": parsed["spec"],
                      "total_params": int(parsed["model"].num_params),
                      "source_run": run.get("id") if isinstance(run.get("id"), str) else None,
                      "metrics": _summary(run),
                      "owner": owner.id if owner else None, "owner_name": owner.name if owner else None,
                      "bytes": len(data)}
            try:
                folder.mkdir(parents=True)
                (folder / "spec.json").write_text(json.dumps(parsed["spec"]))
                (folder / "weights.npz").write_bytes(parsed["weights_npz"])
                self.store.insert_model(record)
            except (OSError, sqlite3.Error) as exc:
                shutil.rmtree(folder, ignore_errors=True)  # no model folder without its row
                if is_disk_full(exc):
                    raise StorageFull("the imported model") from None
                raise
            with self._lock:
                self._cache[(model_id, "model")] = (0, parsed["model"])
            return record
        if not isinstance(data, (bytes, bytearray)):
            raise ModelImportError("expected the bytes of a zip file", unreadable=True)
        return await asyncio.to_thread(work)

    async def record(self, model_id: str) -> dict:
        rec = await asyncio.to_thread(self.store.get_model, model_id)
        if rec is None:
            raise ModelNotFound(model_id)
        return rec

    async def imported_model(self, model_id: str):
        with self._lock:
            hit = self._cache.get((model_id, "model"))
        if hit:
            return hit[1]
        rec = await self.record(model_id)

        def work():
            from playground.engine.model import load_weights

            model = load_weights(rec["spec"], self.model_dir(model_id) / "weights.npz", seed=0)
            with self._lock:
                self._cache[(model_id, "model")] = (0, model)
            return model
        return await asyncio.to_thread(work)

    def imported_weights_path(self, model_id: str) -> Path | None:
        """An imported model's weights file; None for an id that is not one of
        ours (a path like "../runs/<id>/checkpoints/latest" among them)."""
        if not re.fullmatch(MODEL_ID_PATTERN, model_id or ""):
            return None
        path = self.model_dir(model_id) / "weights.npz"
        return path if path.is_file() else None

    async def delete_model(self, model_id: str) -> None:
        await self.record(model_id)
        self.forget(model_id)
        await asyncio.to_thread(self.store.delete_model, model_id)
        await asyncio.to_thread(shutil.rmtree, self.model_dir(model_id), True)


def _summary(run: dict) -> dict | None:
    """The metrics worth keeping from an exported run record."""
    final = run.get("final")
    if isinstance(final, dict):
        return {k: final.get(k) for k in ("train", "val", "test", "steps", "epochs") if k in final}
    return None
