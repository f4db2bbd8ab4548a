"""Model downloads as ONNX or PyTorch (playground.export), for the run and the
imported-model export routes; each route calls one function here.

The export runs in a worker thread under the model's lock (model_lock.py).
A layer the format cannot express is a 422 at ``["query", "format"]`` whose
message names the layer; a missing package (onnx comes with the [export]
extra) is a 501 that says what to install.
"""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING, Any, Literal

from fastapi import Response

from playground.api.errors import ApiError, field_error
from playground.api.model_lock import run_locked
from playground.api.schemas.common import ErrorOut, Responses
from playground.export import FORMATS, MEDIA_TYPE, SUFFIX, ExportError, MissingDependency, export_model

if TYPE_CHECKING:
    from playground.engine.model import Model

# "zip" (the playground's own export) and the formats playground.export writes;
# mypy cannot read a Literal made at import time (as in schemas/labs.py).
ExportFormat = Literal[("zip", *FORMATS)]  # type: ignore[valid-type]

FORMAT_HELP = ("zip: the playground's own zip (spec.json, weights.npz; re-importable); "
               "onnx: one .onnx file, NHWC input as predict takes it, softmax output; "
               "pytorch: a zip of model.py (nn.Sequential + load()), weights.safetensors and a README")

# The responses an export route adds to its own (404 etc.), for the OpenAPI schema.
EXPORT_RESPONSES: Responses = {
    200: {"content": {"application/zip": {}, "application/octet-stream": {}},
          "description": "the download: a zip, or an .onnx file"},
    501: {"model": ErrorOut, "description": "the format's package is not installed"},
}


def attachment(data: bytes, media_type: str, filename: str) -> Response:
    return Response(content=data, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def model_file(model: Model, fmt: str, stem: str) -> Response:
    """``model`` (an engine Model) exported as ``fmt`` ("onnx" | "pytorch"), as a download."""
    try:
        data = await asyncio.to_thread(run_locked, model, export_model, fmt)
    except ExportError as exc:
        raise field_error(["query", "format"], exc.message, "export_error") from None
    except MissingDependency as exc:
        raise ApiError(501, exc.message) from None
    return attachment(data, MEDIA_TYPE[fmt], f"{stem}{SUFFIX[fmt]}")


async def imported_model_file(model: Model, record: dict[str, Any], fmt: str) -> Response:
    """An imported model as ``fmt``; "zip" is spec.json + weights.npz, which
    POST /api/models/import takes back."""
    stem = f"model-{record['id']}"
    if fmt != "zip":
        return await model_file(model, fmt, stem)

    def work(model: Model) -> bytes:
        from playground.engine.model import save_weights
        from playground.runs.export import build_zip

        weights = io.BytesIO()
        save_weights(model, weights)
        return build_zip(record["spec"], weights.getvalue(), {"step": [], "epoch": []},
                         {"name": record["name"]}, {})
    data = await asyncio.to_thread(run_locked, model, work)
    return attachment(data, "application/zip", f"{stem}.zip")
