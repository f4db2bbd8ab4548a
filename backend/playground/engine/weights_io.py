"""Weights files: .npz archives of named float arrays, never pickles.

Keys are ``layers.{i}.weight`` and ``layers.{i}.bias`` (i = index in the
spec's layers). ``read_npz`` loads with ``allow_pickle=False`` and turns every
way a file can be wrong (not a zip, truncated, an object array, a bare .npy)
into a WeightsError; ``check_arrays`` compares a file's arrays with what a
model expects and names every missing key, extra key and shape mismatch.
``write_npz`` writes atomically (temporary file, then rename), so a reader
never sees half a checkpoint.
"""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from typing import IO, Any

import numpy as np

# Where weights come from: a path, the bytes of an upload, or a seekable binary file.
WeightsSource = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]
# Where they go: a path (written atomically) or a writable binary file.
WeightsTarget = str | os.PathLike[str] | IO[bytes]


class WeightsError(ValueError):
    """A weights file or state dict that cannot be used (message says why)."""


def _source_name(source: WeightsSource) -> str:
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else "<upload>"


def _head(source: str | os.PathLike[str] | IO[bytes]) -> bytes:
    """The first bytes of a path or a seekable binary file (position restored)."""
    if isinstance(source, (str, os.PathLike)):
        try:
            with open(source, "rb") as f:
                return f.read(8)
        except FileNotFoundError:
            raise WeightsError(f"weights file not found: {os.fspath(source)}") from None
        except OSError as exc:
            raise WeightsError(f"cannot read weights file {os.fspath(source)}: {exc}") from None
    start = source.tell()
    head = source.read(8)
    source.seek(start)
    return head


def read_npz(source: WeightsSource) -> dict[str, np.ndarray]:
    """All arrays of an .npz (path, bytes or seekable binary file object), fully read."""
    name = _source_name(source)
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    head = _head(source)
    # Sniffed first, because np.load reports any non-zip, non-.npy file as "pickled".
    if head.startswith(b"\x93NUMPY"):
        raise WeightsError(f"{name} is a single .npy array, not an .npz archive of named weights")
    if head[:1] == b"\x80":
        raise WeightsError(f"{name} is not an .npz weights file (it holds pickled data, "
                           f"which is never loaded)")
    if not head.startswith(b"PK"):
        raise WeightsError(f"{name} is not a valid .npz weights file (not a zip archive)")
    try:
        loaded = np.load(source, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise WeightsError(f"{name} is not a valid .npz weights file: {exc}") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):
        raise WeightsError(f"{name} is not an .npz archive of named weights")
    arrays: dict[str, np.ndarray] = {}
    with loaded:
        for key in loaded.files:
            try:
                arrays[key] = loaded[key]
            except ValueError as exc:
                if "pickle" in str(exc).lower() or "object" in str(exc).lower():
                    raise WeightsError(f"{name}: {key} is an object array (pickled data is never "
                                       f"loaded)") from None
                raise WeightsError(f"{name}: {key} cannot be read: {exc}") from None
            except (OSError, EOFError, zipfile.BadZipFile) as exc:
                raise WeightsError(f"{name} is corrupt ({key}: {exc})") from None
    return arrays


def check_arrays(arrays: dict[str, Any], expected: dict[str, tuple[int, ...]]) -> None:
    """Raise WeightsError unless ``arrays`` has exactly the keys and shapes of ``expected``."""
    problems = []
    missing = [k for k in expected if k not in arrays]
    extra = [k for k in arrays if k not in expected]
    if missing:
        problems.append("missing " + ", ".join(missing))
    if extra:
        problems.append("unexpected " + ", ".join(str(k) for k in extra))
    for key, shape in expected.items():
        if key not in arrays:
            continue
        arr = np.asarray(arrays[key])
        if tuple(arr.shape) != tuple(shape):
            problems.append(f"{key}: expected shape {tuple(shape)}, found {tuple(arr.shape)}")
        elif arr.dtype.kind not in "fiu":
            problems.append(f"{key}: expected numbers, found dtype {arr.dtype}")
        elif arr.dtype.kind == "f" and not np.isfinite(arr).all():
            problems.append(f"{key}: contains NaN or Inf")
    if problems:
        raise WeightsError("weights do not match the model: " + "; ".join(problems))


def write_npz(target: WeightsTarget, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` as an uncompressed .npz to a path (atomically) or a binary file object."""
    if not isinstance(target, (str, os.PathLike)):
        # numpy's stub gives savez an `allow_pickle: bool` keyword (numpy >= 2.1), so
        # mypy reads **arrays as possibly that flag; every value here is an array.
        np.savez(target, **arrays)  # type: ignore[arg-type]
        return
    path = os.fspath(target)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".weights-", suffix=".npz", dir=folder)
    try:
        # A file object, not a name: np.savez would append ".npz" to a name without it.
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)  # type: ignore[arg-type]  # see above
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
