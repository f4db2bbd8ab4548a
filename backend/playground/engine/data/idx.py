"""The IDX file format (MNIST's): strict reader, writer, and the `DataError` of engine.data.

An IDX file is a 4-byte magic number `00 00 TT DD` (TT = element type, DD =
number of dimensions), DD big-endian uint32 sizes, then the elements in C order,
big-endian. Files may be gzip-compressed; the reader looks at the bytes, not the
file name. Anything that does not add up is refused with a `DataError` naming
the file, before any array is handed out, so nothing is ever half-loaded.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

GZIP_MAGIC = b"\x1f\x8b"

# IDX type byte -> big-endian NumPy dtype.
IDX_DTYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_DTYPE_CODES = {dt.newbyteorder("<") if dt.byteorder == ">" else dt: code for code, dt in IDX_DTYPES.items()}


class DataError(ValueError):
    """A dataset file or array is missing, corrupt, truncated or inconsistent."""


def decompress_if_gzip(raw: bytes, source: str | Path = "<bytes>") -> bytes:
    """Return the uncompressed bytes of `raw` (unchanged when it is not gzip)."""
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{source}: corrupt gzip data ({exc})") from None


def read_bytes(path: str | Path) -> bytes:
    """The uncompressed content of an IDX file (gzip or raw)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return decompress_if_gzip(raw, path)


def parse_idx(data: bytes, source: str | Path = "<bytes>") -> np.ndarray:
    """Uncompressed IDX bytes -> array in native byte order (a read-only view for uint8)."""
    if len(data) < 4:
        raise DataError(f"{source}: too short for an IDX header ({len(data)} bytes)")
    zero, type_code, ndim = struct.unpack_from(">HBB", data, 0)
    if zero != 0 or type_code not in IDX_DTYPES:
        raise DataError(
            f"{source}: not an IDX file (magic number {data[:4].hex()}; "
            "expected 0000 followed by a type byte 08/09/0b/0c/0d/0e)"
        )
    if ndim == 0:
        raise DataError(f"{source}: IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{source}: truncated header ({len(data)} bytes, {ndim} dimensions need {header})")
    dims = struct.unpack_from(f">{ndim}I", data, 4)
    dtype = IDX_DTYPES[type_code]
    expected = header + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "has trailing bytes"
        raise DataError(
            f"{source}: {what}: header says shape {tuple(dims)} of {dtype.name} "
            f"({expected} bytes in all), file has {len(data)} bytes"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    if dtype.byteorder == ">":
        array = array.astype(dtype.newbyteorder("="))
    return array


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (gzip or raw) into an array; DataError names the file on any problem."""
    return parse_idx(read_bytes(path), path)


def idx_bytes(array: np.ndarray) -> bytes:
    """Serialize an array to uncompressed IDX bytes (the inverse of `parse_idx`)."""
    array = np.asarray(array)
    native = array.dtype.newbyteorder("<") if array.dtype.byteorder == ">" else array.dtype
    code = _DTYPE_CODES.get(np.dtype(native))
    if code is None:
        raise DataError(f"IDX cannot hold dtype {array.dtype}")
    if array.ndim == 0 or array.ndim > 255:
        raise DataError(f"IDX needs 1 to 255 dimensions, got {array.ndim}")
    header = struct.pack(f">HBB{array.ndim}I", 0, code, array.ndim, *array.shape)
    return header + np.ascontiguousarray(array, dtype=IDX_DTYPES[code]).tobytes()


def write_idx(path: str | Path, array: np.ndarray, compress: bool | None = None) -> Path:
    """Write `array` as IDX; gzip when `compress` is true (default: when the name ends in .gz)."""
    path = Path(path)
    data = idx_bytes(array)
    if compress is None:
        compress = path.suffix == ".gz"
    if compress:
        # mtime=0 keeps the bytes reproducible, so tests can pin checksums.
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)
    return path
