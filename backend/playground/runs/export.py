"""Export zips of a run's model, and reading them back for import.

A zip holds ``spec.json`` (the model spec), ``weights.npz`` (engine format),
``metrics.json`` (``{"step": [...], "epoch": [...]}``), ``run.json`` (the run
record) and ``config.json`` (its training config). Import needs only
``spec.json`` and ``weights.npz``; it refuses anything that is not such a zip,
members that would unpack beyond MAX_UNPACKED bytes (zip bombs), a spec the
engine rejects and weights that do not fit the spec (WeightsError names the key
and shapes). Weights load with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
import json
import zipfile

from playground.runs.errors import ModelImportError
from playground.runs.npz_guard import NpzRejected, check_npz

MAX_UNPACKED = 512 * 1024 * 1024
REQUIRED = ("spec.json", "weights.npz")


def build_zip(spec: dict, weights_npz: bytes, metrics: dict, run: dict, config: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("spec.json", json.dumps(spec, indent=2))
        z.writestr("weights.npz", weights_npz)
        z.writestr("metrics.json", json.dumps(metrics))
        z.writestr("run.json", json.dumps(run, indent=2))
        z.writestr("config.json", json.dumps(config, indent=2))
    return buf.getvalue()


def read_zip(data: bytes, max_params: int | None = None, max_layers: int | None = None,
             max_input_size: int | None = None, max_activation_size: int | None = None) -> dict:
    """-> {"spec", "weights" (dict of arrays), "weights_npz" (bytes), "metrics",
    "run", "model" (engine Model with the weights loaded)}. The spec is checked
    against ``max_params`` / ``max_layers`` and the values one sample holds
    (``max_input_size`` / ``max_activation_size``) before any weight is allocated."""
    from playground.engine.model import build_model
    from playground.engine.spec import SpecError, validate_spec
    from playground.engine.weights_io import WeightsError, read_npz

    try:
        z = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ModelImportError("not a zip file (expected an export from GET /api/runs/{id}/export)",
                               unreadable=True) from None
    with z:
        names = set(z.namelist())
        missing = [n for n in REQUIRED if n not in names]
        if missing:
            raise ModelImportError(f"the zip has no {', '.join(missing)}", unreadable=True)
        if sum(i.file_size for i in z.infolist()) > MAX_UNPACKED:
            raise ModelImportError("the zip unpacks to more than "
                                   f"{MAX_UNPACKED // (1024 * 1024)} MB", unreadable=True)
        try:
            members = {n: z.read(n) for n in names & {"spec.json", "weights.npz", "metrics.json", "run.json"}}
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise ModelImportError(f"the zip is corrupt: {exc}", unreadable=True) from None
    spec = _json(members, "spec.json")
    metrics = _json(members, "metrics.json") if "metrics.json" in members else None
    run = _json(members, "run.json") if "run.json" in members else None
    try:
        report = validate_spec(spec)
        _check_sizes(report, max_input_size, max_activation_size)
        _check_limits(report, max_params, max_layers)
        model = build_model(spec, seed=0)
    except SpecError as exc:
        raise ModelImportError(f"spec.json: {exc.message}") from None
    try:
        check_npz(members["weights.npz"])
    except NpzRejected as exc:
        raise ModelImportError(f"weights.npz: {exc}") from None
    try:
        weights = read_npz(members["weights.npz"])
        model.load_state_dict(weights)
    except WeightsError as exc:
        raise ModelImportError(f"weights.npz: {exc}") from None
    return {"spec": spec, "weights": weights, "weights_npz": members["weights.npz"],
            "metrics": metrics, "run": run if isinstance(run, dict) else None, "model": model}


def _check_limits(report, max_params: int | None, max_layers: int | None) -> None:
    if max_layers is not None and len(report.layers) > max_layers:
        raise ModelImportError(f"spec.json: {len(report.layers)} layers; the limit is {max_layers}")
    if max_params is not None and report.total_params > max_params:
        raise ModelImportError(f"spec.json: the model has {report.total_params:,} parameters; "
                               f"the limit is {max_params:,}")


def _check_sizes(report, max_input: int | None, max_activation: int | None) -> None:
    from playground.viz.budget import size_problem

    problem = size_problem(report, max_input or float("inf"), max_activation or float("inf"))
    if problem is not None:
        raise ModelImportError(f"spec.json: {problem[1]}")


def _json(members: dict, name: str):
    try:
        return json.loads(members[name])
    except (UnicodeDecodeError, ValueError):
        raise ModelImportError(f"{name} is not valid JSON", unreadable=True) from None
    except RecursionError:
        raise ModelImportError(f"{name} is nested too deeply", unreadable=True) from None
