"""viz.images: decoding uploads and MNIST-style preprocessing."""

import io

import numpy as np
import pytest
from PIL import Image

from playground.viz.images import ImageError, decode_image, preprocess_digit


def png(arr, mode="L"):
    buf = io.BytesIO()
    Image.fromarray(arr, mode=mode).save(buf, format="PNG")
    return buf.getvalue()


def dark_bar_on_white(h=200, w=120):
    img = np.full((h, w), 255, np.uint8)
    img[40:160, 50:70] = 0  # a tall "1", off-centre box but symmetric ink
    return img


def test_decode_grey_png_scales_to_unit_range():
    arr = decode_image(png(dark_bar_on_white()))
    assert arr.shape == (200, 120) and arr.dtype == np.float32
    assert arr.max() == pytest.approx(1.0) and arr.min() == pytest.approx(0.0)


def test_decode_jpeg_colour():
    rgb = np.zeros((50, 40, 3), np.uint8)
    rgb[..., 0] = 255
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG")
    arr = decode_image(buf.getvalue())
    assert arr.shape == (50, 40)
    assert 0.25 < float(arr.mean()) < 0.35  # pure red -> luma 0.299


def test_transparent_canvas_keeps_dark_ink():
    rgba = np.zeros((64, 64, 4), np.uint8)  # transparent black background
    rgba[10:50, 30:34] = [0, 0, 0, 255]  # black opaque stroke
    digit = preprocess_digit(decode_image(png(rgba, "RGBA")))
    assert digit.max() > 0.9 and digit.sum() > 10


@pytest.mark.parametrize("data", [b"", b"not an image", b"GIF89a" + b"\0" * 20])
def test_bad_bytes_are_refused(data):
    with pytest.raises(ImageError):
        decode_image(data)


def test_preprocess_inverts_crops_scales_and_centres():
    digit = preprocess_digit(dark_bar_on_white())
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    ys, xs = np.nonzero(digit > 0.1)
    assert ys.max() - ys.min() + 1 == 20  # longest side scaled to 20
    assert xs.max() - xs.min() + 1 < 8  # aspect kept: the bar stays thin
    cy = (np.arange(28)[:, None] * digit).sum() / digit.sum() + 0.5
    cx = (np.arange(28)[None, :] * digit).sum() / digit.sum() + 0.5
    assert abs(cy - 14) <= 1 and abs(cx - 14) <= 1
    assert digit[0].max() == 0 and digit[:, 0].max() == 0  # background is black


def test_preprocess_light_on_dark_is_not_inverted():
    img = 255 - dark_bar_on_white()
    assert np.allclose(preprocess_digit(img), preprocess_digit(dark_bar_on_white()), atol=1e-5)


def test_blank_image_gives_zeros():
    assert not preprocess_digit(np.full((30, 30), 255, np.uint8)).any()


def test_bad_array_shape_is_refused():
    with pytest.raises(ImageError):
        preprocess_digit(np.zeros((2, 3, 5, 7)))
