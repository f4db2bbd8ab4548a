"""Image uploads of extreme sizes: a decompression bomb is refused from its
header, a very large photo is shrunk as 8-bit pixels before the float work,
and a 1x1 image still gives a 28x28 input."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from playground.viz import images
from playground.viz.images import ImageError, decode_image, preprocess_digit


def _png(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def test_large_image_is_shrunk_before_conversion():
    im = Image.new("L", (3000, 1500), 255)
    ImageDraw.Draw(im).rectangle([1450, 200, 1550, 1300], fill=0)
    grey = decode_image(_png(im))
    assert max(grey.shape) == images.MAX_SIDE and grey.shape[0] * 2 == grey.shape[1]
    digit = preprocess_digit(grey)
    ys, xs = np.nonzero(digit > 0.5)
    assert digit.shape == (28, 28) and ys.max() - ys.min() >= 18 and xs.max() - xs.min() <= 4


def test_shrinking_keeps_transparency():
    im = Image.new("RGBA", (2000, 2000), (0, 0, 0, 0))
    ImageDraw.Draw(im).rectangle([900, 300, 1100, 1700], fill=(0, 0, 0, 255))
    grey = decode_image(_png(im))
    assert grey.shape == (1024, 1024) and grey[512, 512] < 0.1 and grey[10, 10] > 0.9


def test_bomb_is_refused_from_the_header(monkeypatch):
    monkeypatch.setattr(images, "MAX_PIXELS", 10_000)
    with pytest.raises(ImageError, match="too large"):
        decode_image(_png(Image.new("1", (200, 200), 0)))


@pytest.mark.parametrize("mode,fmt", [("CMYK", "JPEG"), ("I;16", "PNG"), ("1", "PNG"), ("LA", "PNG")])
def test_odd_modes_and_a_single_pixel_decode(mode, fmt):
    buf = io.BytesIO()
    Image.new(mode, (1, 1)).save(buf, fmt)
    out = preprocess_digit(decode_image(buf.getvalue()))
    assert out.shape == (28, 28) and np.isfinite(out).all()


def test_big_jpeg_is_decoded_at_a_reduced_scale():
    im = Image.new("RGB", (4000, 3000), (255, 255, 255))
    ImageDraw.Draw(im).rectangle([1900, 500, 2100, 2500], fill=(0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "JPEG")
    grey = decode_image(buf.getvalue())
    assert max(grey.shape) <= images.MAX_SIDE and grey.shape[1] > grey.shape[0]
    assert preprocess_digit(grey).max() > 0.5
