"""The server's settings-driven limits written into /openapi.json.

Request models keep only static bounds (tests change the limits per app, and
the routers check them); here the generated schema gets the limits this app
really applies as `maximum`, so a client reading the schema sees them.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from playground.api.settings import Settings


def _bounds(settings: Settings) -> dict[tuple[str, str], int]:
    """(schema, property) -> the maximum that settings give it."""
    return {
        ("RunCreate", "epochs"): settings.max_epochs,
        ("RunCreate", "steps"): settings.max_steps,
        ("RunCreate", "batch_size"): settings.max_batch_size,
        ("StepRequest", "n"): settings.max_steps,
    }


def install(app: FastAPI, settings: Settings) -> None:
    """Wrap app.openapi so its schema carries this app's limits."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = plain()
        models = schema.get("components", {}).get("schemas", {})
        for (model, prop), maximum in _bounds(settings).items():
            field = models.get(model, {}).get("properties", {}).get(prop)
            if field is None:
                continue
            # Optional fields are {"anyOf": [{"type": "integer", ...}, {"type": "null"}]}.
            for target in [field, *field.get("anyOf", [])]:
                if target.get("type") == "integer":
                    target["maximum"] = maximum
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
