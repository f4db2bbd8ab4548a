"""Optional input transforms for predict / activations: shift, rotate, scale.

The Draw view asks what the model says when the same digit moves, turns or
grows (translation invariance: a CNN shrugs off a few pixels, an MLP often
does not). A request may carry ``transform``: one object, applied to every
input, or a list of them (at most MAX_TRANSFORMS), giving one model input per
transform of the first input - a whole shift sweep in one call:

    {"shift": [dx, dy], "rotate": degrees, "scale": s}

dx, dy in pixels (x right, y down), rotation counter-clockwise as seen, about
the image centre (viz/images.py ``transform_image``).
"""

from __future__ import annotations

import json

import numpy as np
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from playground.api.errors import field_error
from playground.viz.images import transform_image

MAX_TRANSFORMS = 64
LOC = ("body", "transform")


class Transform(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    shift: tuple[float, float] = Field(default=(0.0, 0.0), description="[dx, dy] pixels, each in [-28, 28]")
    rotate: float = Field(default=0.0, ge=-360, le=360, description="degrees, counter-clockwise")
    scale: float = Field(default=1.0, ge=0.25, le=4.0, description="size factor about the centre")

    def shift_ok(self) -> bool:
        return all(-28 <= v <= 28 for v in self.shift)


TransformSpec = Transform | list[Transform]
_ADAPTER = TypeAdapter(TransformSpec)


def parse_text(text: str | None) -> list[Transform] | Transform | None:
    """The multipart form field ``transform`` (JSON text) -> validated transforms."""
    if text is None or text == "":
        return None
    try:
        raw = json.loads(text)
    except ValueError:
        raise field_error(LOC, "transform is not valid JSON", "json_invalid") from None
    try:
        return _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        errors = [{"loc": (*LOC, *e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        raise RequestValidationError(errors) from None


def apply(batch: np.ndarray, spec: TransformSpec | None) -> np.ndarray:
    """(N, H, W[, 1]) images -> the transformed batch (see the module docstring)."""
    if spec is None:
        return batch
    many = isinstance(spec, list)
    items = spec if isinstance(spec, list) else [spec]
    if not items:
        raise field_error(LOC, "transform list is empty")
    if len(items) > MAX_TRANSFORMS:
        raise field_error(LOC, f"{len(items)} transforms; at most {MAX_TRANSFORMS} per request")
    for t in items:
        if not t.shift_ok():
            raise field_error(LOC, "shift must be within [-28, 28] pixels")
    shape = batch.shape[1:]
    if not (len(shape) == 2 or (len(shape) == 3 and shape[-1] == 1)):
        raise field_error(LOC, f"transforms need a one-channel image input; this model takes {list(shape)}")
    if many and batch.shape[0] != 1:
        raise field_error(LOC, "a list of transforms needs exactly one input")
    images = batch.reshape(batch.shape[0], shape[0], shape[1])
    if many:
        out = [transform_image(images[0], t.shift, t.rotate, t.scale) for t in items]
    else:
        one = items[0]
        out = [transform_image(img, one.shift, one.rotate, one.scale) for img in images]
    return np.stack(out).reshape((len(out), *shape)).astype(np.float32)
