"""Datasets the API needs for a run's decision grid and evaluation, loaded the
way the run's worker loaded them (same name, params and seed -> same split) and
kept in a small LRU so repeated requests do not re-read MNIST.

Loads happen one at a time, under a lock: an MNIST load peaks at ~400 MB
(210 MB kept), and ten evaluations of ten runs used to load ten copies at
once (3.9 GB). The LRU is bounded in entries and in bytes."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from playground.api.errors import ApiError
from playground.engine.data import Dataset, load_dataset

SIZE = 4
# What the cached datasets may hold together (two MNIST splits fit).
MAX_BYTES = 512 * 1024 * 1024


def _nbytes(ds: Dataset) -> int:
    arrays = (getattr(ds, name, None) for name in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"))
    return sum(int(getattr(a, "nbytes", 0)) for a in arrays if a is not None)


class DatasetCache:
    def __init__(self, data_dir: str | Path | None = None, size: int = SIZE, max_bytes: int = MAX_BYTES,
                 cache_dir: str | Path | None = None) -> None:
        self.data_dir = str(data_dir) if data_dir else None
        self.cache_dir = cache_dir
        self.size = size
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[Dataset, int]] = OrderedDict()
        self._lock = threading.Lock()  # the LRU (held briefly)
        self._load_lock = threading.Lock()  # one load at a time
        self.loads = 0

    def _hit(self, key: str) -> Dataset | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                return item[0]
        return None

    def for_run(self, record: dict[str, Any]) -> Dataset:
        """The engine Dataset of a run record (blocking: call from a worker thread)."""
        params = dict(record.get("dataset_params") or {})
        config = record.get("config") or {}
        # Values from the run's stored request (JSON): load_dataset checks them.
        kwargs: dict[str, Any] = {
            "seed": int(config.get("seed", 0) or 0),
            "val_split": float(params.get("val_split", 0.1) if params.get("val_split") is not None else 0.1),
            "noise": params.get("noise"),
            "n_samples": params.get("n_samples"),
            "path": params.get("path"),
            # The worker trained on the thinned split: grids of training points show the same.
            "class_fractions": params.get("class_fractions"),
        }
        key = json.dumps([record.get("dataset"), kwargs], sort_keys=True, default=str)
        ds = self._hit(key)
        if ds is not None:
            return ds
        with self._load_lock:
            ds = self._hit(key)  # loaded by the request we waited for
            if ds is not None:
                return ds
            try:
                ds = load_dataset(record["dataset"], data_dir=self.data_dir, cache_dir=self.cache_dir, **kwargs)
            except (OSError, ValueError) as exc:  # DataError is a ValueError: missing or bad files
                # An upload's path is the server's business; its name is what the user knows.
                reason = str(exc).replace(f"{kwargs['path']}: ", "") if kwargs["path"] else str(exc)
                raise ApiError(409, f"dataset {record.get('dataset')!r} cannot be loaded here: {reason}") from None
            self.loads += 1
            self._keep(key, ds)
        return ds

    def _keep(self, key: str, ds: Dataset) -> None:
        with self._lock:
            self._items[key] = (ds, _nbytes(ds))
            total = sum(n for _, n in self._items.values())
            while len(self._items) > 1 and (len(self._items) > self.size or total > self.max_bytes):
                _, (_, n) = self._items.popitem(last=False)
                total -= n
