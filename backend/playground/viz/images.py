"""Uploaded and drawn images turned into what an MNIST model expects.

`decode_image(bytes)` reads PNG/JPEG (any size, mode, alpha) with Pillow into a
grey float array; `preprocess_digit(img)` repeats how MNIST was made: grey,
ink bright on dark, cropped to the ink, longest side scaled to 20 pixels keeping
the aspect ratio, then placed in 28x28 so the centre of mass is in the middle.
`transform_image(img, shift, rotate, scale)` moves, turns and resizes such an
image about its centre, for the Draw view's invariance experiments.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, UnidentifiedImageError

# A decompression bomb must fail fast, not eat the server's memory.
MAX_PIXELS = 40_000_000
# Larger images are shrunk (as 8-bit pixels) before the float conversion: a
# 36-megapixel photo as float32 RGBA would take 576 MB per request, and the
# digit ends up 20 pixels tall anyway.
MAX_SIDE = 1024
FORMATS = ("PNG", "JPEG")


class ImageError(ValueError):
    """The bytes are not an image we accept."""


def decode_image(data: bytes) -> np.ndarray:
    """PNG/JPEG bytes -> (H, W) float32 grey in [0, 1] (1 = white).

    Transparent pixels are filled with the colour that contrasts with the
    opaque ones, so a canvas export (ink on transparent) keeps its ink whatever
    colour the ink is.
    """
    if not data:
        raise ImageError("empty image")
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as im:
            if im.width * im.height > MAX_PIXELS:
                raise ImageError(f"image too large: {im.width}x{im.height} pixels")
            if im.format == "JPEG":
                # Decode a big photo at 1/2, 1/4 or 1/8 scale straight from the DCT.
                im.draft(im.mode, (MAX_SIDE, MAX_SIDE))
            im.load()
            return _to_grey(_shrunk(im))
    except ImageError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"not a readable PNG or JPEG image ({exc.__class__.__name__})") from None


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)


def _shrunk(im: Image.Image) -> Image.Image:
    """`im` with its longer side at most MAX_SIDE (RGBA/RGB 8-bit when shrunk)."""
    if max(im.width, im.height) <= MAX_SIDE:
        return im
    small = im.convert("RGBA" if _has_alpha(im) else "RGB")
    small.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.BOX)
    return small


def _to_grey(im: Image.Image) -> np.ndarray:
    has_alpha = _has_alpha(im)
    rgba = np.asarray(im.convert("RGBA"), dtype=np.float32) / 255.0
    # ITU-R 601 luma, as PIL's "L" conversion.
    grey = rgba[..., 0] * 0.299 + rgba[..., 1] * 0.587 + rgba[..., 2] * 0.114
    if not has_alpha:
        return grey.astype(np.float32)
    alpha = rgba[..., 3]
    opaque = alpha > 0.5
    if opaque.all():
        return grey.astype(np.float32)
    ink_level = float(grey[opaque].mean()) if opaque.any() else 0.0
    background = 0.0 if ink_level > 0.5 else 1.0
    return (grey * alpha + background * (1.0 - alpha)).astype(np.float32)


def to_grey_array(img) -> np.ndarray:
    """Accept a PIL image or an array (H, W), (H, W, 1|3|4) -> (H, W) float32 in [0, 1]."""
    if isinstance(img, Image.Image):
        return _to_grey(img)
    arr = np.asarray(img, dtype=np.float32)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    elif arr.ndim == 3 and arr.shape[-1] in (3, 4):
        arr = arr[..., 0] * 0.299 + arr[..., 1] * 0.587 + arr[..., 2] * 0.114
    if arr.ndim != 2 or arr.size == 0:
        raise ImageError(f"expected a 2-D image, got shape {tuple(np.shape(img))}")
    if not np.all(np.isfinite(arr)):
        raise ImageError("image has NaN or infinite values")
    if arr.max() > 1.0:  # 0..255 pixel values
        arr = arr / 255.0
    return np.clip(arr, 0.0, 1.0).astype(np.float32)


def preprocess_digit(img, size: int = 28, box: int = 20) -> np.ndarray:
    """Any image of one digit -> (size, size) float32 in [0, 1], ink bright, MNIST style."""
    grey = to_grey_array(img)
    # MNIST digits are white on black; a light background means dark ink.
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = float(np.median(border))
    if background > 0.5:
        grey, background = 1.0 - grey, 1.0 - background
    # Paper is rarely pure white: remove its level so only ink remains.
    grey = np.clip(grey - background, 0.0, None)
    peak = float(grey.max())
    if peak <= 1e-6:
        return np.zeros((size, size), np.float32)
    grey = grey / peak
    rows = np.flatnonzero((grey > 0.1).any(axis=1))
    cols = np.flatnonzero((grey > 0.1).any(axis=0))
    crop = grey[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]

    h, w = crop.shape
    scale = box / max(h, w)
    new_h, new_w = max(1, round(h * scale)), max(1, round(w * scale))
    resized = Image.fromarray(crop.astype(np.float32), mode="F").resize((new_w, new_h), Image.Resampling.LANCZOS)
    patch = np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)

    total = float(patch.sum())
    ys, xs = np.indices(patch.shape)
    cy = float((ys * patch).sum() / total) + 0.5 if total > 0 else new_h / 2
    cx = float((xs * patch).sum() / total) + 0.5 if total > 0 else new_w / 2
    top = int(np.clip(round(size / 2 - cy), 0, size - new_h))
    left = int(np.clip(round(size / 2 - cx), 0, size - new_w))
    out = np.zeros((size, size), np.float32)
    out[top : top + new_h, left : left + new_w] = patch
    return out


def transform_image(img: np.ndarray, shift=(0.0, 0.0), rotate: float = 0.0, scale: float = 1.0) -> np.ndarray:
    """(H, W) float image -> (H, W): scaled by `scale` and rotated by `rotate`
    degrees (counter-clockwise as seen) about the centre, then shifted by
    `shift` = (dx, dy) pixels (x right, y down). Uncovered pixels are 0 (no
    ink); bilinear, so whole-pixel shifts alone move pixels exactly."""
    arr = np.asarray(img, dtype=np.float32)
    if arr.ndim != 2:
        raise ImageError(f"expected a 2-D image, got shape {tuple(arr.shape)}")
    dx, dy = float(shift[0]), float(shift[1])
    if dx == 0 and dy == 0 and rotate % 360 == 0 and scale == 1:
        return arr.copy()
    h, w = arr.shape
    cx, cy = w / 2.0, h / 2.0
    theta = math.radians(rotate)
    cos, sin = math.cos(theta), math.sin(theta)
    # Pillow's AFFINE maps each output pixel back to the input: invert
    # out = c + t + s * R(p - c), with R a counter-clockwise turn on a y-down grid.
    a, b = cos / scale, -sin / scale
    d, e = sin / scale, cos / scale
    ox, oy = -cx - dx, -cy - dy
    coeffs = (a, b, a * ox + b * oy + cx, d, e, d * ox + e * oy + cy)
    out = Image.fromarray(arr, mode="F").transform(
        (w, h), Image.Transform.AFFINE, coeffs, resample=Image.Resampling.BILINEAR, fillcolor=0.0)
    return np.clip(np.asarray(out, dtype=np.float32), 0.0, 1.0)
