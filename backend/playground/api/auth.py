"""Who may do what: the session of a request and the ownership checks, as
dependencies (routes never repeat these checks).

In `open` mode every request acts as the one local user with every right. In
`tokens` mode a request names its session with `Authorization: Bearer <token>`
(scripts) or the `pg_session` cookie (the page): no session is 401, someone
else's run / model / upload is 403 naming whose permission is missing.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from playground.api.errors import ApiError
from playground.api.sessions import LOCAL_SESSION, Session

COOKIE = "pg_session"
# A header a plain HTML form cannot send: with it (or JSON, or a Bearer token)
# a mutating request cannot have come from another site's form.
CSRF_HEADER = "x-playground"


def token_of(conn: HTTPConnection) -> str | None:
    auth = conn.headers.get("authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return conn.cookies.get(COOKIE) or None


def session_of(conn: HTTPConnection) -> Session | None:
    """The request's session; None when it names none. An unknown token is 401."""
    if not conn.app.state.settings.tokens:
        return LOCAL_SESSION
    token = token_of(conn)
    if token is None:
        return None
    session = conn.app.state.sessions.lookup(token)
    if session is None:
        raise ApiError(401, "this session token is not known here (the server's data may have been reset): "
                            "reload the page, or POST /api/session for a new token")
    return session


def require_session(conn: HTTPConnection) -> Session:
    session = session_of(conn)
    if session is None:
        raise ApiError(401, "no session: the page gets one on first visit; scripts POST /api/session "
                            "and send 'Authorization: Bearer <token>'")
    return session


def require_teacher(session: Annotated[Session, Depends(require_session)]) -> Session:
    if not session.is_teacher:
        raise ApiError(403, "only the teacher may do this (the teacher's token is missing)")
    return session


def check_owner(session: Session, owner_id: str | None, owner_name: str | None, what: str) -> None:
    """403 unless the session owns the thing or is the teacher."""
    if not session.may_change(owner_id):
        whose = owner_name or "the local user"
        raise ApiError(403, f"{what} belongs to {whose}: only they or the teacher may change it "
                            f"(your session is {session.name})")


SessionDep = Annotated[Session, Depends(require_session)]
TeacherDep = Annotated[Session, Depends(require_teacher)]


async def owned_run(run_id: str, conn: HTTPConnection, session: SessionDep) -> dict[str, Any]:
    """The run record, if the session may change the run (404 first when there is none)."""
    rec = await conn.app.state.manager.get(run_id)
    check_owner(session, rec.get("owner"), rec.get("owner_name"), f"run '{run_id}'")
    return rec


async def owned_model(model_id: str, conn: HTTPConnection, session: SessionDep) -> dict[str, Any]:
    rec = await conn.app.state.manager.get_model_record(model_id)
    check_owner(session, rec.get("owner"), rec.get("owner_name"), f"model '{model_id}'")
    return rec


async def run_data_visible(run_id: str, conn: HTTPConnection, session: SessionDep) -> dict[str, Any]:
    """Views that show a run's training data (evaluation gallery, data points):
    open to the class for built-in sets, owner and teacher only for uploads."""
    rec = await conn.app.state.manager.get(run_id)
    if str(rec.get("dataset", "")).startswith("upload:") and not session.may_change(rec.get("owner")):
        raise ApiError(403, f"run '{run_id}' trained on {rec.get('owner_name') or 'its owner'}'s uploaded "
                            "data: only they or the teacher may see it")
    return rec


OwnedRun = Annotated[dict, Depends(owned_run)]
OwnedModel = Annotated[dict, Depends(owned_model)]
RunDataVisible = Annotated[dict, Depends(run_data_visible)]


def same_origin(conn: HTTPConnection) -> bool:
    """False when the request says it comes from a page of another host."""
    origin = conn.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc.lower() == conn.headers.get("host", "").lower()


class CsrfGuard:
    """ASGI middleware (tokens mode): a mutating /api request that carries the
    session cookie must be JSON or carry the X-Playground header, and must not
    come from another origin."""

    MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
    # Making a new session changes nothing of anyone's (and scripts start there).
    EXEMPT = {"/api/session"}

    def __init__(self, app: ASGIApp, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.enabled and scope["type"] == "http" and scope["method"] in self.MUTATING
                and scope["path"].startswith("/api/") and scope["path"] not in self.EXEMPT):
            problem = self._problem(HTTPConnection(scope))
            if problem:
                from starlette.responses import JSONResponse

                await JSONResponse({"detail": problem}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _problem(conn: HTTPConnection) -> str | None:
        # Only the cookie rides along on a forged request: without it the request
        # acts for nobody (401 later), with a Bearer header it is a script's.
        if COOKIE not in conn.cookies or "authorization" in conn.headers:
            return None
        if not same_origin(conn):
            return "cross-site request refused: its Origin is not this server"
        ctype = conn.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/json" or CSRF_HEADER in conn.headers or "authorization" in conn.headers:
            return None
        return ("cross-site form requests are refused: send a JSON body (Content-Type: application/json), "
                "an 'Authorization: Bearer' header or the 'X-Playground: 1' header")
