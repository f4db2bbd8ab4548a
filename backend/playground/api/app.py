"""The FastAPI application factory.

    uvicorn --factory playground.api.app:create_app

`create_app(settings)` wires settings, the run manager (started and stopped by
the lifespan), the routers under /api, the websocket under /ws, error
handlers, the request-size guard and the browser page.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from starlette.middleware.gzip import GZipMiddleware

from playground import __version__
from playground.api import openapi_limits
from playground.api.auth import CsrfGuard, require_session
from playground.api.datasets_cache import DatasetCache
from playground.api.errors import install_handlers
from playground.api.frontend import mount_frontend
from playground.api.inspection_gate import InspectionGate
from playground.api.quotas import Quotas
from playground.api.routers import classroom, datasets, health, inspect, labs, layers, models, runs, session, ws
from playground.api.sessions import SessionStore
from playground.api.settings import Settings
from playground.api.size_guard import SizeGuard
from playground.api.uploads import UploadStore
from playground.runs.protocol import RunManagerProtocol

# Room for multipart framing and form fields around an upload of the maximum size.
BODY_SLACK = 64 * 1024
log = logging.getLogger("playground")


def teacher_token(settings: Settings) -> str:
    """The configured teacher token, or (tokens mode) a new one announced once."""
    if settings.teacher_token is not None and settings.teacher_token.get_secret_value():
        return settings.teacher_token.get_secret_value()
    token = secrets.token_urlsafe(32)
    if settings.tokens:
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
        # print, not log: the one place a made-up token is ever shown.
        print(f"Teacher link (keep it to yourself; set PLAYGROUND_TEACHER_TOKEN to keep one across "
              f"restarts): http://{host}:{settings.port}/class#token={token}", flush=True)
    return token


def create_app(settings: Settings | None = None, manager: RunManagerProtocol | None = None) -> FastAPI:
    """Build the app. `manager` defaults to a RunManager over `settings`; tests may pass their own."""
    settings = settings or Settings()
    settings.ensure_dirs()
    if manager is None:
        from playground.runs.manager import RunManager

        manager = RunManager(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await manager.start()
        try:
            yield
        finally:
            await manager.shutdown()

    app = FastAPI(
        title="NN Playground",
        version=__version__,
        description="Build, train and inspect neural networks; see docs/api.md.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.manager = manager
    app.state.uploads = UploadStore(settings.uploads_dir)
    app.state.datasets = DatasetCache(settings.data_dir, cache_dir=settings.cache_dir)
    app.state.sessions = SessionStore(settings.home / "sessions.db", teacher_token(settings))
    app.state.quotas = Quotas(settings)
    app.state.classroom = classroom.Classroom()
    app.state.inspections = InspectionGate(settings.max_inspections)
    app.state.labs = InspectionGate(settings.max_labs, what="lab computations", setting="max_labs")

    install_handlers(app)
    for module in (health, session):
        app.include_router(module.router, prefix="/api")
    # Everything else needs a session in tokens mode (watching included: a class
    # sees each other's runs, strangers on the network do not).
    for module in (datasets, layers, models, inspect, runs, labs, classroom):
        app.include_router(module.router, prefix="/api", dependencies=[Depends(require_session)])
    app.include_router(ws.router)
    app.include_router(classroom.ws_router)
    mount_frontend(app, settings.frontend_dir)
    app.add_middleware(CsrfGuard, enabled=settings.tokens)
    openapi_limits.install(app, settings)
    app.add_middleware(SizeGuard, max_bytes=settings.max_upload_bytes + BODY_SLACK)
    # The page's ES modules, CSS and JSON answers shrink to about a quarter; tiny answers stay as they are.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    return app
