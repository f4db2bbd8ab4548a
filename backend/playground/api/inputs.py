"""Model inputs from requests: JSON arrays or an uploaded image -> a float32 batch.

`input_shape` is the spec's (e.g. [28, 28, 1] or [2]). JSON may give one input
(with or without a trailing channel of 1) or a batch; an image upload is
decoded and preprocessed the MNIST way for models with a 2-D image input.
Every mismatch is a 422 naming `["body", "input"]` or `["body", "file"]`.
An optional `transform` (JSON key, or multipart form field holding JSON) moves,
turns or resizes image inputs first (transforms.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from playground.api import transforms
from playground.api.errors import ApiError, field_error
from playground.api.schemas.inspect import PredictRequest
from playground.api.upload_io import read_limited
from playground.viz.images import ImageError, decode_image, preprocess_digit

MAX_BATCH = 1024
# Commas a predict body may hold besides its inputs' numbers (a list of 64 transforms).
TRANSFORM_SLACK = 64 * 8
LOC = ("body", "input")

# A predict/activations body as read_payload leaves it: ("json", body) or
# ("image", file bytes, the transform field's text or None).
Payload = tuple[Literal["json"], bytes] | tuple[Literal["image"], bytes, str | None]


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return shape[:-1] if len(shape) > 1 and shape[-1] == 1 else shape


def to_batch(values: Any, input_shape: Sequence[int]) -> np.ndarray:
    """Nested lists -> (N, *input_shape) float32."""
    shape = tuple(int(d) for d in input_shape)
    try:
        arr = np.asarray(values, dtype=np.float32)
    except (ValueError, TypeError, OverflowError):
        raise field_error(LOC, "input must be a rectangular array of numbers") from None
    if arr.dtype == object or arr.size == 0:
        raise field_error(LOC, "input must be a non-empty array of numbers")
    if not np.all(np.isfinite(arr)):
        raise field_error(LOC, "input has NaN or infinite values")
    short = _squeezed(shape)
    if arr.shape in (shape, short):
        batch = arr.reshape((1, *shape))
    elif arr.shape[1:] in (shape, short):
        batch = arr.reshape((arr.shape[0], *shape))
    else:
        raise field_error(
            LOC,
            f"input shape {list(arr.shape)} does not fit the model's input {list(shape)} "
            f"(one input or a batch of them)",
        )
    if batch.shape[0] > MAX_BATCH:
        raise field_error(LOC, f"batch of {batch.shape[0]}; at most {MAX_BATCH} inputs per request")
    return batch


def _too_many_values(body: bytes, input_shape: Sequence[int]) -> None:
    """Refuse a body that holds more numbers than MAX_BATCH inputs before
    parsing it: every number but the last in an array is followed by a comma,
    and counting them costs a fraction of what json.loads and the float
    conversion of a 20 MB body would."""
    most = MAX_BATCH * math.prod(int(d) for d in input_shape) + TRANSFORM_SLACK
    commas = body.count(b",")
    if commas > most:
        raise field_error(LOC, f"about {commas + 1:,} numbers; at most {MAX_BATCH} inputs "
                               f"shaped {list(input_shape)} per request")


def parse_json(body: bytes, input_shape: Sequence[int]) -> np.ndarray:
    _too_many_values(body, input_shape)
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise field_error(("body",), "body is not valid JSON", "json_invalid") from None
    except RecursionError:  # "[[[[..." deeper than the parser's stack
        raise field_error(("body",), "body is nested too deeply", "json_invalid") from None
    try:
        req = PredictRequest.model_validate(payload)
    except ValidationError as exc:
        errors = [{"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        raise RequestValidationError(errors) from None
    return transforms.apply(to_batch(req.input, input_shape), req.transform)


def image_batch(data: bytes, input_shape: Sequence[int]) -> np.ndarray:
    """PNG/JPEG bytes -> (1, *input_shape) for models that take one-channel 2-D images."""
    shape = tuple(int(d) for d in input_shape)
    if len(shape) not in (2, 3) or (len(shape) == 3 and shape[-1] != 1):
        raise field_error(("body", "file"), f"this model takes inputs shaped {list(shape)}, not a grey image")
    # Checked before preprocessing, which allocates shape[0] x shape[0]: a tall
    # narrow input would otherwise cost far more than the validated input size.
    if shape[0] != shape[1]:
        raise field_error(("body", "file"), f"image upload needs a square input, the model takes {list(shape)}")
    try:
        img = preprocess_digit(decode_image(data), size=shape[0], box=max(1, round(shape[0] * 20 / 28)))
    except ImageError as exc:
        raise ApiError(400, str(exc)) from None
    return img.reshape((1, *shape))


def as_seen(batch: np.ndarray) -> list[Any]:
    """The first input as the model saw it, without a channel axis of 1 (28x28 for MNIST)."""
    first = batch[0]
    return first.reshape(_squeezed(first.shape)).tolist()


# How predict/activations document their two body types in OpenAPI.
BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": PredictRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "transform": {"type": "string", "description": "optional transform(s) as JSON text"},
                    },
                    "required": ["file"],
                }
            },
        },
    }
}


async def read_payload(request: Request, max_bytes: int) -> Payload:
    """The raw input of a predict/activations request: ("json", body) or
    ("image", file bytes from the multipart field `file`, the `transform`
    field's text or None). Decoding is left to `to_batch_from`, which runs in
    the threadpool with the model call."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        try:
            form = await request.form(max_files=1, max_fields=10)
        except HTTPException:
            raise  # e.g. 413 from the size guard
        except Exception as exc:  # malformed multipart is the client's fault, whatever the parser says
            raise ApiError(400, f"unreadable multipart body: {exc}") from None
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise field_error(("body", "file"), "multipart body needs an image in the field 'file'", "missing")
        transform = form.get("transform")
        if transform is not None and not isinstance(transform, str):
            raise field_error(transforms.LOC, "transform must be a text field holding JSON")
        return "image", await read_limited(upload, max_bytes), transform
    if ctype not in ("application/json", ""):
        raise ApiError(415, f"unsupported content type {ctype!r}: send JSON or multipart/form-data")
    body = await request.body()
    if len(body) > max_bytes:
        raise ApiError(413, f"body too large: more than {max_bytes} bytes")
    return "json", body


def to_batch_from(payload: Payload, input_shape: Sequence[int]) -> np.ndarray:
    """A payload from read_payload -> (N, *input_shape) float32 (blocking)."""
    if payload[0] == "image":
        spec = transforms.parse_text(payload[2])
        return transforms.apply(image_batch(payload[1], input_shape), spec)
    return parse_json(payload[1], input_shape)
