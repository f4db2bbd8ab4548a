"""Datasets the API needs for a run's decision grid and evaluation, loaded the
way the run's worker loaded them (same name, params and seed -> same split) and
kept in a small LRU so repeated requests do not re-read MNIST."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict

from playground.api.errors import ApiError
from playground.engine.data import load_dataset

SIZE = 4


class DatasetCache:
    def __init__(self, data_dir=None, size: int = SIZE):
        self.data_dir = str(data_dir) if data_dir else None
        self.size = size
        self._items: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def for_run(self, record: dict):
        """The engine Dataset of a run record (blocking: call from a worker thread)."""
        params = dict(record.get("dataset_params") or {})
        config = record.get("config") or {}
        kwargs = {
            "seed": int(config.get("seed", 0) or 0),
            "val_split": float(params.get("val_split", 0.1) if params.get("val_split") is not None else 0.1),
            "noise": params.get("noise"),
            "n_samples": params.get("n_samples"),
            "path": params.get("path"),
            # The worker trained on the thinned split: grids of training points show the same.
            "class_fractions": params.get("class_fractions"),
        }
        key = json.dumps([record.get("dataset"), kwargs], sort_keys=True, default=str)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        try:
            ds = load_dataset(record["dataset"], data_dir=self.data_dir, **kwargs)
        except (OSError, ValueError) as exc:  # DataError is a ValueError: missing or bad files
            # An upload's path is the server's business; its name is what the user knows.
            reason = str(exc).replace(f"{kwargs['path']}: ", "") if kwargs["path"] else str(exc)
            raise ApiError(409, f"dataset {record.get('dataset')!r} cannot be loaded here: {reason}") from None
        with self._lock:
            self._items[key] = ds
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return ds
