"""Issue 13: a full disk ends in a clear 507, with nothing half-written left
behind. ENOSPC is injected (monkeypatch) so the tests run anywhere; where the
test may mount one (root), a tiny tmpfs gives the real thing."""

from __future__ import annotations

import errno
import io
import pathlib
import sqlite3
import subprocess

import numpy as np
import pytest

from api_helpers import MLP_2D, make_settings
from playground.runs.export import build_zip


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _dataset(n=100) -> bytes:
    rng = np.random.default_rng(0)
    return _npz(x=rng.normal(size=(n, 2)).astype(np.float32), y=np.arange(n) % 2)


@pytest.fixture
def disk_full_under(monkeypatch):
    """Writes of whole files under a directory write half, then fail with ENOSPC."""
    def install(root: pathlib.Path):
        plain_bytes, plain_text = pathlib.Path.write_bytes, pathlib.Path.write_text

        def write_bytes(self, data):
            if root in self.parents:
                plain_bytes(self, data[: len(data) // 2])
                raise OSError(errno.ENOSPC, "No space left on device", str(self))
            return plain_bytes(self, data)

        def write_text(self, text, *a, **kw):
            if root in self.parents:
                raise OSError(errno.ENOSPC, "No space left on device", str(self))
            return plain_text(self, text, *a, **kw)

        monkeypatch.setattr(pathlib.Path, "write_bytes", write_bytes)
        monkeypatch.setattr(pathlib.Path, "write_text", write_text)
    return install


def _files(folder: pathlib.Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def _full(r, home):
    assert r.status_code == 507, r.text
    assert "disk is full" in r.json()["detail"] and str(home) not in r.text


def test_upload_on_a_full_disk_is_507_and_leaves_no_file(client, home, disk_full_under):
    before = _files(home / "uploads")
    disk_full_under(home / "uploads")
    r = client.post("/api/datasets/upload", files={"file": ("d.npz", _dataset())})
    _full(r, home)
    assert _files(home / "uploads") == before
    assert all(d["name"] != "upload:" for d in client.get("/api/datasets").json())


def test_import_on_a_full_disk_is_507_and_leaves_no_model(client, home, disk_full_under):
    weights = _npz(**{"layers.0.weight": np.zeros((2, 8), np.float32), "layers.0.bias": np.zeros(8, np.float32),
                      "layers.1.weight": np.zeros((8, 2), np.float32), "layers.1.bias": np.zeros(2, np.float32)})
    models = client.get("/api/models").json()
    disk_full_under(home / "models")
    r = client.post("/api/models/import", files={"file": ("m.zip", build_zip(MLP_2D, weights, {}, {}, {}))})
    _full(r, home)
    assert _files(home / "models") == [] and client.get("/api/models").json() == models


def test_a_run_whose_row_cannot_be_written_is_507(client, monkeypatch):
    store = client.app.state.manager.store

    def full(*_a, **_k):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "insert_run", full)
    r = client.post("/api/runs", json={"spec": MLP_2D, "dataset": "circle", "steps": 2})
    assert r.status_code == 507 and "disk is full" in r.json()["detail"], r.text
    assert client.app.state.manager.counts() == {"active": 0, "queued": 0}


def _mount_tiny(path: pathlib.Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                              capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@pytest.fixture
def tiny_home(tmp_path):
    home = tmp_path / "tiny"
    if not _mount_tiny(home, "192k"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield home
    finally:
        subprocess.run(["umount", "-l", str(home)], capture_output=True, timeout=10)


def test_upload_on_a_really_full_filesystem(tiny_home, tmp_path):
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    settings = make_settings(tiny_home, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    with TestClient(create_app(settings)) as client:
        r = client.post("/api/datasets/upload", files={"file": ("d.npz", _dataset(20000))})  # 480 KB
        _full(r, tiny_home)
        assert _files(tiny_home / "uploads") == []
        small = client.post("/api/datasets/upload", files={"file": ("d.npz", _dataset(100))})
        assert small.status_code == 201, small.text
