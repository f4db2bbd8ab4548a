"""The browser page: GET / renders frontend/templates/index.html, /static serves its files.

The frontend folder is found beside the package (a source checkout or an
install that copied it) unless `settings.frontend_dir` says where. Without it
the API still works and / explains where the page would be.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

import playground
from playground.api.routers.datasets import builtin_datasets
from playground.engine.layers import layer_catalog


def find_frontend(configured: Path | None) -> Path | None:
    candidates = [configured] if configured else []
    package = Path(playground.__file__).resolve().parent
    candidates += [package.parent.parent / "frontend", package / "frontend", Path.cwd() / "frontend"]
    for folder in candidates:
        if folder and (folder / "templates" / "index.html").is_file():
            return folder
    return None


def bootstrap(request: Request) -> dict:
    """What the page needs before its first fetch (rendered with |tojson)."""
    app = request.app
    return {
        "layers": layer_catalog(),
        "datasets": builtin_datasets(app.state.settings) + app.state.uploads.list(),
        "limits": app.state.settings.limits(),
    }


def mount_frontend(app: FastAPI, configured: Path | None) -> None:
    folder = find_frontend(configured)
    router = APIRouter(include_in_schema=False)
    if folder is None:

        @router.get("/", response_class=HTMLResponse)
        async def missing() -> str:
            return (
                "<!doctype html><title>NN Playground</title>"
                "<p>The browser page (frontend/templates) is not installed here. "
                'The API is at <a href="/docs">/docs</a>.</p>'
            )

        app.include_router(router)
        return

    templates = Jinja2Templates(directory=str(folder / "templates"))
    if (folder / "static").is_dir():
        app.mount("/static", StaticFiles(directory=str(folder / "static")), name="static")

    @router.get("/", response_class=HTMLResponse)
    async def index(request: Request):
        data = await run_in_threadpool(bootstrap, request)
        return templates.TemplateResponse(request, "index.html", {"bootstrap": data})

    app.include_router(router)
