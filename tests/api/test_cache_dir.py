"""PLAYGROUND_CACHE_DIR is a declared setting, handed to every dataset call."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from playground.api.routers.datasets import builtin_datasets
from playground.api.settings import Settings
from playground.engine.data import mnist
from playground.engine.data.idx import write_idx


def test_setting_from_the_environment_and_its_default(monkeypatch, tmp_path):
    monkeypatch.delenv("PLAYGROUND_CACHE_DIR", raising=False)
    assert Settings(home=tmp_path).cache_dir == Path(mnist.DEFAULT_CACHE_DIR)
    monkeypatch.setenv("PLAYGROUND_CACHE_DIR", str(tmp_path / "cache"))
    assert Settings(home=tmp_path).cache_dir == tmp_path / "cache"


def _fake_mnist(folder: Path) -> None:
    """Four tiny IDX files under the names MNIST's are looked for."""
    folder.mkdir(parents=True)
    spec = mnist.get_set("mnist")
    rng = np.random.default_rng(0)
    for role, file in spec.files.items():
        n = 6 if role.startswith("train") else 3
        data = (rng.integers(0, 256, (n, 28, 28)) if role.endswith("images") else rng.integers(0, 10, n)).astype(np.uint8)
        write_idx(folder / file.filename, data)


def test_the_api_looks_in_the_settings_cache(monkeypatch, tmp_path):
    """MNIST only in the configured cache folder: the dataset list calls it
    available and the dataset cache loads it from there (checksums aside)."""
    monkeypatch.delenv("PLAYGROUND_DATA_DIR", raising=False)
    monkeypatch.setattr(mnist, "DEFAULT_CACHE_DIR", str(tmp_path / "default-cache"))
    _fake_mnist(tmp_path / "cache" / mnist.get_set("mnist").folder)
    settings = Settings(home=tmp_path / "home", cache_dir=tmp_path / "cache")
    rows = {d["name"]: d for d in builtin_datasets(settings)}
    assert rows["mnist"]["available"] is True
    assert rows["fashion-mnist"]["available"] is False
    without = {d["name"]: d for d in builtin_datasets(Settings(home=tmp_path / "home"))}
    assert without["mnist"]["available"] is False
    # the app's dataset cache (runs' data for the inspect views) gets the same folder
    from playground.api.app import create_app

    assert create_app(settings).state.datasets.cache_dir == tmp_path / "cache"
