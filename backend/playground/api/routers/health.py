"""Health check.

GET /api/health   status, version, server time, run counts and the limits
"""

from __future__ import annotations

import time

from fastapi import APIRouter

from playground import __version__
from playground.api.deps import ManagerDep, SettingsDep
from playground.api.schemas.health import Health, RunCounts

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
async def health(settings: SettingsDep, manager: ManagerDep) -> Health:
    counts = manager.counts()
    return Health(
        status="ok",
        version=__version__,
        time=time.time(),
        runs=RunCounts(active=int(counts.get("active", 0)), queued=int(counts.get("queued", 0))),
        # On Ray the capacity is the cluster's, not the setting's.
        limits={**settings.limits(), "max_runs": manager.max_runs},
    )
