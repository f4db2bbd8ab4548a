"""Spec validation for the API: the engine's validator plus the server's limits.

Every problem becomes a 422 whose `loc` points into the request body, e.g.
`["body", "spec", "layers", 3, "kernel_size"]`, so the page can put the message
next to the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from playground.api.errors import field_error
from playground.api.settings import Settings
from playground.engine.spec import SpecError, SpecReport, validate_spec
from playground.viz.budget import size_problem


def spec_loc(err: SpecError, prefix: Sequence[str | int]) -> list[str | int]:
    if err.layer is not None:
        loc = [*prefix, "layers", err.layer]
        return loc + [err.field] if err.field else loc
    return [*prefix, err.field] if err.field else list(prefix)


def check_spec(spec: dict[str, Any], settings: Settings, prefix: Sequence[str | int] = ("body", "spec")) -> SpecReport:
    """validate_spec with limits; raises a 422 RequestValidationError naming the field."""
    layers = spec.get("layers") if isinstance(spec, dict) else None
    if isinstance(layers, list) and len(layers) > settings.max_layers:
        raise field_error([*prefix, "layers"], f"{len(layers)} layers; the limit is {settings.max_layers}", "limit")
    try:
        report = validate_spec(spec)
    except SpecError as err:
        raise field_error(spec_loc(err, prefix), err.message, "spec_error") from None
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as err:
        # The validator should only raise SpecError; a spec odd enough to trip
        # anything else is still the user's input, not a server fault.
        raise field_error(list(prefix), f"invalid spec: {err}", "spec_error") from None
    problem = size_problem(report, settings.max_input_size, settings.max_activation_size)
    if problem is not None:
        raise field_error([*prefix, *problem[0]], problem[1], "limit")
    if report.total_params > settings.max_params:
        raise field_error(
            [*prefix, "layers"],
            f"the model has {report.total_params:,} parameters; the limit is {settings.max_params:,}",
            "limit",
        )
    return report
