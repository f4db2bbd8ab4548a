"""engine.data: MNIST / Fashion-MNIST (IDX), toy sets, user .npz files, splits and batches.

The downloader (`download.py`, also `python -m playground.engine.data.download`)
is not imported here, so running it as a module does not import it twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .idx import DataError, read_idx, write_idx
from .mnist import IDX_SETS, Folder
from .registry import DATASETS, Dataset, DatasetInfo, dataset_available, list_datasets, load_dataset
from .split import iterate_minibatches, train_val_split

__all__ = [
    "DATASETS",
    "DataError",
    "Dataset",
    "DatasetInfo",
    "IDX_SETS",
    "dataset_available",
    "ensure_dataset",
    "iterate_minibatches",
    "list_datasets",
    "load_dataset",
    "read_idx",
    "train_val_split",
    "write_idx",
]


def ensure_dataset(name: str, data_dir: Folder = None, cache_dir: Folder = None,
                   mirrors: Iterable[str] | None = None, **kwargs: Any) -> dict[str, Path]:
    """Make sure the files of an IDX set are on disk, downloading missing ones (see download.py)."""
    from .download import ensure_dataset as _ensure

    return _ensure(name, data_dir=data_dir, cache_dir=cache_dir, mirrors=mirrors, **kwargs)
