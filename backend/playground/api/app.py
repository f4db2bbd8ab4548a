"""The FastAPI application factory.

    uvicorn --factory playground.api.app:create_app

`create_app(settings)` wires settings, the run manager (started and stopped by
the lifespan), the routers under /api, the websocket under /ws, error
handlers, the request-size guard and the browser page.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.gzip import GZipMiddleware

from playground import __version__
from playground.api.datasets_cache import DatasetCache
from playground.api.errors import install_handlers
from playground.api.frontend import mount_frontend
from playground.api.routers import datasets, health, inspect, labs, layers, models, runs, ws
from playground.api.settings import Settings
from playground.api.size_guard import SizeGuard
from playground.api.uploads import UploadStore

# Room for multipart framing and form fields around an upload of the maximum size.
BODY_SLACK = 64 * 1024


def create_app(settings: Settings | None = None, manager=None) -> FastAPI:
    """Build the app. `manager` defaults to a RunManager over `settings`; tests may pass their own."""
    settings = settings or Settings()
    settings.ensure_dirs()
    if manager is None:
        from playground.runs.manager import RunManager

        manager = RunManager(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
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
    app.state.datasets = DatasetCache(settings.data_dir)

    install_handlers(app)
    for module in (health, datasets, layers, models, inspect, runs, labs):
        app.include_router(module.router, prefix="/api")
    app.include_router(ws.router)
    mount_frontend(app, settings.frontend_dir)
    app.add_middleware(SizeGuard, max_bytes=settings.max_upload_bytes + BODY_SLACK)
    # The page's ES modules, CSS and JSON answers shrink to about a quarter; tiny answers stay as they are.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    return app
