"""User datasets (.npz) uploaded over HTTP, kept under `home/uploads`.

Each upload is `<id>.npz` plus `<id>.json` (its dataset description); the name
`upload:<id>` is what a run's `dataset` field takes, and the file path goes to
the run manager in `dataset_params.path`.
"""

from __future__ import annotations

import json
import re
import secrets
from pathlib import Path
from typing import Any

from playground.engine.data import load_dataset
from playground.runs.errors import StorageFull, is_disk_full
from playground.runs.npz_guard import NpzRejected, check_npz
from playground.runs.owner import Owner

PREFIX = "upload:"
_ID = re.compile(r"^[0-9a-f]{8,32}$")


class UploadError(ValueError):
    """The file is not a dataset we can train on."""


def _write(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a full disk leaves no partial file (507)."""
    tmp = path.with_name(path.name + ".part")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if is_disk_full(exc):
            raise StorageFull("the upload") from None
        raise


class UploadStore:
    def __init__(self, directory: Path):
        self.dir = Path(directory)

    def path_of(self, name: str) -> Path | None:
        """`upload:<id>` -> the stored .npz, or None if it is not an existing upload."""
        if not name.startswith(PREFIX):
            return None
        ident = name[len(PREFIX):]
        if not _ID.match(ident):
            return None
        path = self.dir / f"{ident}.npz"
        return path if path.is_file() else None

    def info(self, name: str) -> dict[str, Any] | None:
        """The stored description of an upload, or None."""
        path = self.path_of(name)
        if path is None:
            return None
        try:
            return json.loads(path.with_suffix(".json").read_text())
        except (OSError, ValueError):
            return None

    def save(self, data: bytes, filename: str, owner: Owner | None = None) -> dict[str, Any]:
        """Check the .npz with the engine's loader, keep it, return its dataset description."""
        try:
            check_npz(data)
        except NpzRejected as exc:
            raise UploadError(str(exc)) from None
        self.dir.mkdir(parents=True, exist_ok=True)
        ident = secrets.token_hex(8)
        path = self.dir / f"{ident}.npz"
        tmp = self.dir / f".{ident}.tmp.npz"
        _write(tmp, data)
        try:
            ds = load_dataset(PREFIX + ident, path=str(tmp), val_split=0.0, seed=0)
        except Exception as exc:  # the engine's loader names the problem; any failure is the file's
            tmp.unlink(missing_ok=True)
            # The loader's messages start with the file's path: a temporary name
            # on the server, of no use to the user.
            message = (str(exc) or exc.__class__.__name__).replace(f"{tmp}: ", "").replace(str(tmp), "the file")
            raise UploadError(message) from None
        tmp.replace(path)
        info = ds.info
        record = {
            "name": PREFIX + ident,
            "kind": str(info.kind),
            "input_shape": [int(d) for d in info.input_shape],
            "num_classes": int(info.num_classes),
            "train_size": int(len(ds.x_train) + len(ds.x_val)),
            "test_size": int(len(ds.x_test)) if ds.x_test is not None else 0,
            "description": Path(filename or "upload.npz").name[:200],
            "available": True,
            "uploaded": True,
            "owner": owner.id if owner else None,
            "owner_name": owner.name if owner else None,
            "bytes": len(data),
        }
        meta = self.dir / f"{ident}.json"
        try:
            _write(meta, json.dumps(record).encode())
        except BaseException:
            path.unlink(missing_ok=True)  # an upload without its description would be invisible
            raise
        return record

    def delete(self, name: str) -> bool:
        """Forget an upload (its file and description); False when there is none."""
        path = self.path_of(name)
        if path is None:
            return False
        path.with_suffix(".json").unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        return True

    def owned_by(self, owner_id: str) -> list[dict[str, Any]]:
        return [u for u in self.list() if (u.get("owner") or "local") == owner_id]

    def list(self) -> list[dict[str, Any]]:
        if not self.dir.is_dir():
            return []
        out = []
        for meta in sorted(self.dir.glob("*.json"), key=lambda p: p.stat().st_mtime):
            try:
                out.append(json.loads(meta.read_text()))
            except (OSError, ValueError):
                continue  # a half-written or foreign file is not a dataset
        return out
