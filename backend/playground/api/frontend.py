"""The browser page: GET / renders frontend/templates/index.html, /static serves its files.

The frontend folder is found beside the package (a source checkout or an
install that copied it) unless `settings.frontend_dir` says where. Without it
the API still works and / explains where the page would be.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

import playground
from playground.api.auth import session_of
from playground.api.errors import ApiError
from playground.api.routers.datasets import builtin_datasets, visible_uploads
from playground.api.routers.session import client_of, describe, set_cookie
from playground.api.sessions import Session
from playground.engine.layers import layer_catalog

# The page's tabs (index.html has a panel for each; presenter mode pins them by name).
TABS = ("build", "train", "filters", "eval", "draw", "runs", "learn")


def find_frontend(configured: Path | None) -> Path | None:
    candidates = [configured] if configured else []
    package = Path(playground.__file__).resolve().parent
    candidates += [package.parent.parent / "frontend", package / "frontend", Path.cwd() / "frontend"]
    for folder in candidates:
        if folder and (folder / "templates" / "index.html").is_file():
            return folder
    return None


def page_session(request: Request, response: Response) -> Session:
    """The visitor's session; a first visit in tokens mode gets one without being
    asked (its token goes into the HttpOnly cookie, never into the page)."""
    try:
        session = session_of(request)
    except ApiError:  # a cookie from a reset server: start afresh
        session = None
    if session is None:
        app = request.app
        app.state.quotas.new_session(client_of(request))
        token, session = app.state.sessions.create()
        set_cookie(response, token)
    return session


def bootstrap(request: Request, session: Session) -> dict[str, Any]:
    """What the page needs before its first fetch (rendered with |tojson)."""
    app = request.app
    return {
        "layers": layer_catalog(),
        "datasets": builtin_datasets(app.state.settings) + visible_uploads(app.state.uploads, session),
        "limits": app.state.settings.limits(),
        "session": describe(session, request),
        "tabs": list(TABS),
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

    async def page(request: Request, template: str) -> Response:
        cookie = Response()
        session = await run_in_threadpool(page_session, request, cookie)
        data = await run_in_threadpool(bootstrap, request, session)
        response = templates.TemplateResponse(request, template, {"bootstrap": data})
        for key, value in cookie.raw_headers:
            if key == b"set-cookie":
                response.raw_headers.append((key, value))
        return response

    @router.get("/", response_class=HTMLResponse)
    async def index(request: Request) -> Response:
        return await page(request, "index.html")

    @router.get("/class", response_class=HTMLResponse)
    async def class_page(request: Request) -> Response:
        """The teacher's class page; others see it say whose page it is (the API refuses them)."""
        return await page(request, "class.html")

    app.include_router(router)
