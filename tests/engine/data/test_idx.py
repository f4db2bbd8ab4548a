"""IDX reader/writer: round trips for every element type, and every kind of damage refused."""

import gzip
import struct

import numpy as np
import pytest

from playground.engine.data.idx import DataError, idx_bytes, parse_idx, read_idx, write_idx


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64])
@pytest.mark.parametrize("compress", [False, True])
def test_round_trip_every_dtype(tmp_path, dtype, compress):
    rng = np.random.default_rng(1)
    a = (rng.standard_normal((3, 5, 4)) * 100).astype(dtype)
    path = write_idx(tmp_path / ("a.idx.gz" if compress else "a.idx"), a)
    back = read_idx(path)
    assert back.dtype == np.dtype(dtype)
    assert back.dtype.isnative
    np.testing.assert_array_equal(back, a)


def test_header_layout_and_big_endian_values():
    data = idx_bytes(np.array([1, 256, -2], dtype=np.int32))
    assert data[:4] == b"\x00\x00\x0c\x01"
    assert struct.unpack(">I", data[4:8]) == (3,)
    assert data[8:12] == b"\x00\x00\x00\x01"  # big-endian on disk
    np.testing.assert_array_equal(parse_idx(data), [1, 256, -2])


def test_gzip_is_detected_by_content_not_name(tmp_path):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    raw_named_gz = tmp_path / "raw.gz"
    raw_named_gz.write_bytes(idx_bytes(a))
    gz_named_plain = tmp_path / "plain"
    gz_named_plain.write_bytes(gzip.compress(idx_bytes(a)))
    np.testing.assert_array_equal(read_idx(raw_named_gz), a)
    np.testing.assert_array_equal(read_idx(gz_named_plain), a)


def _labels_bytes(n=10):
    return idx_bytes(np.arange(n, dtype=np.uint8))


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "too short"),
        (b"\x00\x00", "too short"),
        (b"\x08\x03\x00\x01" + b"\x00" * 8, "not an IDX file"),  # first two bytes not zero
        (b"\x00\x00\x07\x01" + b"\x00" * 8, "not an IDX file"),  # unknown type byte
        (b"\x00\x00\x08\x00", "0 dimensions"),
        (b"\x00\x00\x08\x03\x00\x00\x00\x02", "truncated header"),
        (_labels_bytes()[:-1], "truncated"),
        (_labels_bytes() + b"\x00", "trailing bytes"),
        (gzip.compress(_labels_bytes())[:-6], "corrupt gzip"),
        (b"\x1f\x8b" + b"garbage" * 4, "corrupt gzip"),
    ],
)
def test_damaged_files_are_refused_naming_the_file(tmp_path, content, message):
    path = tmp_path / "damaged-idx1-ubyte"
    path.write_bytes(content)
    with pytest.raises(DataError, match=message) as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_size_mismatch_message_gives_shape_and_sizes(tmp_path):
    path = tmp_path / "images"
    path.write_bytes(idx_bytes(np.zeros((4, 2, 2), np.uint8))[:-3])
    with pytest.raises(DataError, match=r"shape \(4, 2, 2\).*32 bytes in all.*29 bytes"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_idx(tmp_path / "nope.gz")


def test_unsupported_dtype_cannot_be_written(tmp_path):
    with pytest.raises(DataError, match="cannot hold"):
        write_idx(tmp_path / "x", np.zeros(3, dtype=np.complex64))
