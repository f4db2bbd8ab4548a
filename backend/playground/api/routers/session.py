"""Sessions without accounts (classroom mode, api/sessions.py).

POST /api/session         {"name"?} -> 201 {token, id, name, role}; sets the pg_session cookie
GET  /api/session         the request's session (401 without one in tokens mode)
POST /api/session/login   {"token"} -> the token's session, set as this browser's cookie
                          (the teacher link, or a student moving to another browser)
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from playground.api.auth import COOKIE, SessionDep
from playground.api.errors import ApiError, field_error
from playground.api.schemas.common import ERROR_RESPONSES
from playground.api.schemas.session import SessionCreate, SessionCreated, SessionLogin, SessionOut
from playground.api.sessions import Session, check_name

router = APIRouter(prefix="/session", tags=["session"])
# A year: the cookie outlives a course; the token itself never expires.
COOKIE_AGE_S = 365 * 24 * 3600


def set_cookie(response: Response, token: str) -> None:
    response.set_cookie(COOKIE, token, max_age=COOKIE_AGE_S, httponly=True, samesite="strict", path="/")


def describe(session: Session, request: Request) -> dict:
    return {"id": session.id, "name": session.name, "role": session.role,
            "auth": request.app.state.settings.auth}


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("", response_model=SessionCreated, status_code=201, responses={422: ERROR_RESPONSES[422], 429: ERROR_RESPONSES[429]})
def create_session(request: Request, response: Response, body: SessionCreate | None = None) -> dict:
    name = body.name if body is not None else None
    if name is not None and (problem := check_name(name)):
        raise field_error(["body", "name"], problem)
    request.app.state.quotas.new_session(client_of(request))
    token, session = request.app.state.sessions.create(name)
    set_cookie(response, token)
    return {**describe(session, request), "token": token}


@router.get("", response_model=SessionOut, responses={401: ERROR_RESPONSES[401]})
def get_session(request: Request, session: SessionDep) -> dict:
    return describe(session, request)


@router.post("/login", response_model=SessionOut, responses={401: ERROR_RESPONSES[401]})
def login(request: Request, response: Response, body: SessionLogin) -> dict:
    session = request.app.state.sessions.lookup(body.token)
    if session is None:
        raise ApiError(401, "this token is not known here: ask the teacher for the current link")
    set_cookie(response, body.token)
    return describe(session, request)
