"""Checking an uploaded .npz (a dataset, or the weights of an imported model) before NumPy reads it.

A zip is a promise of sizes: a 1 MB upload can unpack to gigabytes (a zip
bomb), and an array header can claim a shape far larger than the data behind
it, which NumPy allocates before it finds the data missing. Both are refused
here from the zip directory and the array headers alone, before any array is
built, so one upload cannot take the server's memory.
"""

from __future__ import annotations

import io
import math
import zipfile

import numpy as np

# What the arrays of one upload may add up to, unpacked (a 60000x28x28 uint8
# set is 47 MB; the engine makes float32 of it, 4x that).
MAX_UNPACKED = 256 * 1024 * 1024


MAGIC = np.lib.format.MAGIC_PREFIX


class NpzRejected(ValueError):
    """The file is not an .npz we are willing to unpack; the message says why."""


def _header(f, name: str) -> tuple[tuple, np.dtype]:
    try:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as exc:
        raise NpzRejected(f"'{name}' is not a readable .npy array ({exc})") from None
    return tuple(shape), np.dtype(dtype)


def check_npz(data: bytes, limit: int | None = None) -> None:
    """Raise NpzRejected unless `data` is a zip whose array members are plain
    numeric arrays that unpack to at most `limit` (MAX_UNPACKED) bytes in all."""
    limit = MAX_UNPACKED if limit is None else limit
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise NpzRejected("not an .npz file (an .npz is a zip of .npy arrays, as np.savez writes)") from None
    with archive:
        members = archive.infolist()
        total = sum(info.file_size for info in members)
        if total > limit:
            raise NpzRejected(f"unpacks to {total:,} bytes; at most {limit:,}")
        for info in members:
            try:
                with archive.open(info) as f:
                    # np.load reads any member that starts with the .npy magic
                    # as an array, whatever its name: check every such member.
                    if not info.filename.endswith(".npy") and f.read(len(MAGIC)) != MAGIC:
                        continue  # np.load gives these back as bytes, at most file_size of them
                with archive.open(info) as f:
                    shape, dtype = _header(f, info.filename)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError) as exc:
                if isinstance(exc, NpzRejected):
                    raise
                raise NpzRejected(f"'{info.filename}' cannot be unpacked ({exc})") from None
            if dtype.hasobject:
                raise NpzRejected(f"'{info.filename}' holds Python objects; only numeric arrays are read")
            needed = math.prod(shape) * dtype.itemsize
            if needed > info.file_size:
                raise NpzRejected(f"'{info.filename}' declares shape {shape} ({needed:,} bytes) "
                                  f"but holds only {info.file_size:,} bytes")
