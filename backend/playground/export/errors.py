"""Why an export failed: a layer the format cannot express, or a missing package."""

from __future__ import annotations


class ExportError(ValueError):
    """A layer the format cannot express; ``layer`` is its index in the spec."""

    def __init__(self, layer: int, layer_type: str, fmt: str, message: str):
        super().__init__(message)
        self.layer, self.layer_type, self.format, self.message = layer, layer_type, fmt, message


class MissingDependency(RuntimeError):
    """The format's package is not installed (onnx comes with the [export] extra)."""

    def __init__(self, package: str, fmt: str):
        message = (f"{fmt} export needs the '{package}' package: "
                   f"pip install 'nn-playground[export]' (make run installs it)")
        super().__init__(message)
        self.package, self.format, self.message = package, fmt, message


def unsupported(info, fmt: str) -> ExportError:
    """The error for a layer (a spec.LayerInfo) that has no emitter in ``fmt``."""
    return ExportError(info.index, info.type, fmt,
                       f"layer {info.index} ({info.type}) cannot be exported to {fmt}: "
                       f"the {fmt} exporter has no counterpart for '{info.type}' layers")
