"""viz.filters and viz.weights: normalised filter images, PNG grid, dense weight images."""

import io

import numpy as np
from PIL import Image

from playground.viz.filters import filter_grid_png, filter_images, grid
from playground.viz.weights import array_stats, dense_weight_images


def test_filters_normalised_per_filter():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(5, 5, 1, 8)).astype(np.float32)
    w[..., 3] *= 100  # a big filter must not wash out the others
    images, ranges = filter_images(w)
    assert images.shape == (8, 5, 5)
    assert np.allclose(images.min(axis=(1, 2)), 0) and np.allclose(images.max(axis=(1, 2)), 1)
    assert np.allclose(ranges[:, 0], w[..., 0, :].min(axis=(0, 1)))
    assert np.allclose(images[0], (w[..., 0, 0] - w[..., 0, 0].min()) / np.ptp(w[..., 0, 0]))


def test_constant_filter_does_not_divide_by_zero():
    images, _ = filter_images(np.ones((3, 3, 2, 2), np.float32))
    assert np.all(np.isfinite(images))


def test_grid_layout_and_png():
    images = np.stack([np.full((3, 3), k / 4) for k in range(5)])
    mosaic = grid(images, scale=2, pad=1)
    assert mosaic.shape == (2 * 7 + 1, 3 * 7 + 1)  # 5 filters -> 3 columns, 2 rows
    assert mosaic[1, 1] == 0 and mosaic[1, 8] == round(255 * 0.25)
    data = filter_grid_png(np.random.default_rng(1).normal(size=(5, 5, 1, 6)))
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG" and img.size == (3 * 41 + 1, 2 * 41 + 1)


def test_dense_weight_images():
    w = np.arange(784 * 3, dtype=np.float32).reshape(784, 3) - 1000
    imgs = dense_weight_images(w, (28, 28, 1), max_units=2)
    assert imgs.shape == (2, 28, 28)
    assert np.abs(imgs).max() == 1.0
    assert np.allclose(imgs[1], w[:, 1].reshape(28, 28) / np.abs(w[:, 1]).max())
    assert dense_weight_images(np.zeros((100, 4)), (28, 28, 1)) is None


def test_array_stats():
    s = array_stats(np.array([3.0, -4.0]))
    assert s["norm"] == 5.0 and s["min"] == -4.0 and s["mean"] == -0.5
