"""npz_guard: zip bombs, lying array headers and object arrays are refused
from the zip directory and headers, before NumPy allocates anything; imports
apply it to weights.npz and hold the spec to the server's limits."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from playground.runs.errors import ModelImportError
from playground.runs.export import build_zip, read_zip
from playground.runs.npz_guard import NpzRejected, check_npz


def _npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def _bomb(size: int) -> bytes:
    """A deflated .npz member of `size` zero bytes (a few KB on the wire)."""
    header = f"{{'descr': '|u1', 'fortran_order': False, 'shape': ({size},), }}"
    header = header + " " * (118 - len(header)) + "\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, z.open("x.npy", "w") as f:
        f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
        f.write(bytes(size))
    return buf.getvalue()


def test_plain_npz_passes():
    check_npz(_npz(x=np.zeros((10, 2), np.float32), y=np.arange(10)))


def test_zip_bomb_is_refused_by_its_directory():
    data = _bomb(4 << 20)
    assert len(data) < 100_000
    with pytest.raises(NpzRejected, match="unpacks to"):
        check_npz(data, limit=1 << 20)


def test_header_larger_than_the_data_is_refused():
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000000, 1000000), }"
    header = header + " " * (118 - len(header)) + "\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("x.npy", b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + b"\0" * 16)
    with pytest.raises(NpzRejected, match="declares shape"):
        check_npz(buf.getvalue())


def test_object_arrays_and_non_zips_are_refused():
    obj = io.BytesIO()
    # np.save writes object arrays (as a pickle) by default: the hostile file to refuse.
    np.save(obj, np.array([{"a": 1}], dtype=object))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("x.npy", obj.getvalue())
    with pytest.raises(NpzRejected, match="Python objects"):
        check_npz(buf.getvalue())
    with pytest.raises(NpzRejected, match="not an .npz"):
        check_npz(b"hello")


SPEC = {"input_shape": [2], "layers": [{"type": "dense", "units": 2}]}


def test_read_zip_refuses_a_weights_bomb_and_oversized_specs(monkeypatch):
    monkeypatch.setattr("playground.runs.npz_guard.MAX_UNPACKED", 1 << 20)
    bomb = build_zip(SPEC, _bomb(4 << 20), {}, {}, {})
    with pytest.raises(ModelImportError, match="weights.npz: unpacks to"):
        read_zip(bomb)
    big = {"input_shape": [784], "layers": [{"type": "dense", "units": 1_000_000}]}
    with pytest.raises(ModelImportError, match="parameters; the limit is 1,000"):
        read_zip(build_zip(big, _npz(a=np.zeros(1)), {}, {}, {}), max_params=1000)
    with pytest.raises(ModelImportError, match="layers; the limit is 1"):
        read_zip(build_zip({**SPEC, "layers": SPEC["layers"] * 2}, _npz(a=np.zeros(1)), {}, {}, {}), max_layers=1)


def test_read_zip_refuses_deeply_nested_json():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("spec.json", "[" * 100_000 + "]" * 100_000)
        z.writestr("weights.npz", _npz(a=np.zeros(1)))
    with pytest.raises(ModelImportError, match="nested too deeply"):
        read_zip(buf.getvalue())
