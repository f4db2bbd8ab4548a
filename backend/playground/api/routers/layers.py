"""The layer catalog the builder's forms are made from.

GET /api/layers         the engine's layer_catalog(), as is
GET /api/vocabularies   activations, paddings, optimizers, schedules, run statuses
                        (api/vocabularies.py; the page also gets them in its bootstrap)
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from playground.api.vocabularies import Vocabularies, vocabularies
from playground.engine.layers import layer_catalog

router = APIRouter(tags=["layers"])


@router.get("/layers", response_model=list[dict[str, Any]])
async def layers() -> list[dict[str, Any]]:
    return layer_catalog()


@router.get("/vocabularies", response_model=Vocabularies)
async def vocabulary_lists() -> Vocabularies:
    return vocabularies()
