"""The work-buffer pool hands an array out again only when nobody else holds it."""

import numpy as np

from playground.engine.fast import workspace
from playground.engine.fast.conv import conv2d_chwn


def test_held_arrays_and_their_views_are_never_handed_out_again():
    workspace.clear()
    a = workspace.take("t", (3, 4), np.float32)
    b = workspace.take("t", (3, 4), np.float32)
    assert not np.shares_memory(a, b)
    view = a.reshape(12)[2:]
    del a
    c = workspace.take("t", (3, 4), np.float32)
    assert not np.shares_memory(c, view) and not np.shares_memory(c, b)
    del view, c
    d = workspace.take("t", (3, 4), np.float32, zero=True)
    assert not d.any()
    assert not np.shares_memory(d, workspace.take("t", (3, 4), np.float32))


def test_freed_arrays_are_reused_and_the_pool_stays_bounded():
    workspace.clear()
    first = workspace.take("t", (5,), np.float64)
    first[:] = 7.0
    address = first.ctypes.data
    del first
    again = workspace.take("t", (5,), np.float64)
    assert again.ctypes.data == address and (again == 7.0).all()
    assert workspace.take("t", (5,), np.float64) is not again
    held = [workspace.take("many", (2,), np.float32) for _ in range(10)]
    assert len({a.ctypes.data for a in held}) == 10
    # Two (5,) float64 arrays, and only the first 4 of the 10 held ones are kept.
    assert workspace.pooled_bytes() == 2 * 5 * 8 + 4 * 2 * 4


def test_arrays_over_the_size_cap_are_fresh_and_padding_stays_zero(monkeypatch):
    monkeypatch.setattr(workspace, "MAX_POOLED_BYTES", 64)
    workspace.clear()
    x = np.arange(2 * 6 * 6 * 3, dtype=np.float64).reshape(2, 6, 6, 3) + 1.0
    w = np.ones((3, 3, 3, 1))
    xc = np.ascontiguousarray(x.transpose(3, 1, 2, 0))
    first = conv2d_chwn(xc, w, padding="same").data.copy()
    assert workspace.pooled_bytes() == 0
    np.testing.assert_array_equal(conv2d_chwn(xc, w, padding="same").data, first)
    monkeypatch.undo()
    workspace.clear()
    np.testing.assert_array_equal(conv2d_chwn(xc, w, padding="same").data, first)
