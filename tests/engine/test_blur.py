"""Antialiased max pooling (blur before subsampling): the fast kernel matches the
readable one, its gradient matches finite differences, its output has the plain
pool's size, and a one-pixel shift moves its output less than plain max pooling's."""

from __future__ import annotations

import numpy as np
import pytest

from playground.engine.blur import blur_subsample, blur_subsample_reference
from playground.engine.model import build_model
from playground.engine.tensor import Tensor


@pytest.mark.parametrize("shape,stride", [((2, 7, 6, 3), 2), ((1, 8, 8, 2), 2), ((1, 5, 9, 1), 3)])
def test_fast_blur_matches_the_reference(shape, stride):
    x = np.random.default_rng(0).normal(size=shape)
    np.testing.assert_allclose(blur_subsample(Tensor(x), stride).data, blur_subsample_reference(x, stride), atol=1e-12)


def test_blur_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 5, 6, 2))
    g = rng.normal(size=blur_subsample(Tensor(x), 2).shape)
    t = Tensor(x, requires_grad=True)
    (blur_subsample(t, 2) * Tensor(g)).sum().backward()
    eps, num = 1e-6, np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[idx] = eps
        num[idx] = ((blur_subsample_reference(x + d, 2) - blur_subsample_reference(x - d, 2)) * g).sum() / (2 * eps)
    np.testing.assert_allclose(t.grad, num, atol=1e-6)


def pools(antialias: bool):
    spec = {"input_shape": [12, 12, 1], "layers": [{"type": "maxpool2d", "pool_size": 2, "antialias": antialias}], "loss": "mse"}
    return build_model(spec, seed=0)


def test_same_size_and_a_shift_changes_the_output_less():
    plain, aa = pools(False), pools(True)
    assert plain.report.output_shape == aa.report.output_shape == (6, 6, 1)
    # a vertical bar of ink moved one pixel to the right, from every column: plain max
    # pooling's output jumps whenever the bar crosses a window's edge (half the time)
    def change(m):
        total = 0.0
        for col in range(1, 10):
            img = np.zeros((1, 12, 12, 1), np.float32)
            img[0, 3:9, col, 0] = 1.0
            total += np.abs(m.outputs(np.roll(img, 1, axis=2)) - m.outputs(img)).sum()
        return total
    assert change(aa) < 0.75 * change(plain)
    img = np.zeros((1, 12, 12, 1), np.float32)
    img[0, 3:9, 5, 0] = 1.0
    # the fast (CHWN) and the plain NHWC paths agree
    aa.use_chwn = False
    ref = aa.outputs(img)
    aa.use_chwn = True
    np.testing.assert_allclose(aa.outputs(img), ref, atol=1e-6)
