"""Export a trained model to the formats the rest of the ecosystem reads.

- ``onnx_export.to_onnx(model) -> bytes``: an ONNX file (opset 17) that takes
  the engine's NHWC input and returns what ``Model.predict_proba`` returns.
- ``torch_export.to_pytorch_zip(model) -> bytes``: a zip with a readable
  ``model.py`` (an ``nn.Sequential``, channels-first), the weights as
  ``weights.safetensors`` and a README on loading them.

Both read a built engine ``Model`` (its validated spec report and its weights)
and import nothing from the web stack; the engine never imports this package.
``EXPORTERS`` maps a format name to its function; a layer a format cannot
express raises ``ExportError`` naming the layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from playground.export.errors import ExportError, MissingDependency

if TYPE_CHECKING:
    from playground.engine.model import Model

FORMATS = ("onnx", "pytorch")

# What each format's download is called and served as.
SUFFIX = {"onnx": ".onnx", "pytorch": "-pytorch.zip"}
MEDIA_TYPE = {"onnx": "application/octet-stream", "pytorch": "application/zip"}


def exporter(fmt: str) -> Callable:
    """The export function of ``fmt`` (imported on first use: onnx is an extra)."""
    if fmt == "onnx":
        from playground.export.onnx_export import to_onnx

        return to_onnx
    if fmt == "pytorch":
        from playground.export.torch_export import to_pytorch_zip

        return to_pytorch_zip
    raise ValueError(f"unknown export format {fmt!r}; known: {', '.join(FORMATS)}")


def export_model(model: Model, fmt: str) -> bytes:
    """The bytes of ``model`` exported as ``fmt`` (ExportError, MissingDependency)."""
    return exporter(fmt)(model)


__all__ = ["FORMATS", "SUFFIX", "MEDIA_TYPE", "ExportError", "MissingDependency", "exporter",
           "export_model"]
