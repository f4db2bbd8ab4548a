"""transform_image (shift / rotate / scale about the centre) and fit_curve."""

import numpy as np
import pytest

from playground.engine.model import build_model
from playground.viz.fit_curve import fit_curve, span
from playground.viz.images import ImageError, transform_image


def _block():
    a = np.zeros((28, 28), np.float32)
    a[10:14, 16:20] = 1.0  # right of the centre, a little above it
    return a


def test_identity_is_a_copy():
    a = _block()
    out = transform_image(a)
    assert np.array_equal(out, a) and out is not a


def test_whole_pixel_shift_is_exact_and_fills_with_zero():
    out = transform_image(_block(), shift=(3, -2))
    assert np.array_equal(out, np.roll(np.roll(_block(), 3, axis=1), -2, axis=0))
    edge = np.ones((28, 28), np.float32)
    assert transform_image(edge, shift=(5, 0))[:, :5].max() == 0.0


def test_rotation_is_counter_clockwise_as_seen():
    ys, xs = np.nonzero(transform_image(_block(), rotate=90) > 0.5)
    # right of the centre goes up, above goes left
    assert ys.max() < 14 and xs.max() < 14


def test_scale_grows_about_the_centre():
    a = np.zeros((28, 28), np.float32)
    a[12:16, 12:16] = 1.0
    big = transform_image(a, scale=2.0)
    assert big.sum() == pytest.approx(4 * a.sum(), rel=0.05)
    ys, xs = np.nonzero(big > 0.5)
    assert ys.min() == 10 and ys.max() == 17 and xs.min() == 10 and xs.max() == 17


def test_transform_rejects_non_images():
    with pytest.raises(ImageError):
        transform_image(np.zeros((2, 2, 2)))


def test_fit_curve_spans_data_and_follows_the_model():
    model = build_model({"input_shape": [1], "layers": [{"type": "dense", "units": 1}], "loss": "mse"}, seed=0)
    model.load_state_dict({"layers.0.weight": np.array([[2.0]], np.float32), "layers.0.bias": np.array([0.5], np.float32)})
    x = np.linspace(-1, 1, 11, dtype=np.float32)[:, None]
    out = fit_curve(model, x, np.sin(x), resolution=50)
    cx, cy = np.array(out["curve"]["x"]), np.array(out["curve"]["y"])
    assert len(cx) == 50 and cx[0] == pytest.approx(-1.2) and cx[-1] == pytest.approx(1.2)
    assert np.allclose(cy, 2 * cx + 0.5, atol=1e-5)
    assert out["y_range"][0] < np.sin(-1) and out["y_range"][1] > np.sin(1)


def test_span_ignores_non_finite_and_handles_flat_data():
    assert span(np.array([np.nan, 1.0, 1.0])) == pytest.approx((0.9, 1.1))
    assert span(np.array([])) == (-1.0, 1.0)
