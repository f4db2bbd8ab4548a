"""Letting a websocket in (tokens mode): same origin, a known session, and no
more than `max_ws_per_client` sockets per session (or per address without one).

A refused socket is accepted, told why in an error message, and closed with a
4xxx code mirroring the HTTP status (4401, 4403, 4429), so a browser can show
the reason: a close before accept reaches the page as a bare 1006.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import WebSocket

from playground.api.auth import same_origin, session_of
from playground.api.errors import ApiError
from playground.api.sessions import Session


async def _refuse(ws: WebSocket, code: int, text: str) -> None:
    await ws.accept()
    await ws.send_json({"type": "error", "message": text})
    await ws.close(code=code)


@asynccontextmanager
async def admitted(ws: WebSocket) -> AsyncIterator[Session | None]:
    """Yields the session, or None after refusing the socket; counts it while open."""
    settings = ws.app.state.settings
    if settings.tokens and not same_origin(ws):
        await _refuse(ws, 4403, "cross-site websocket refused: its Origin is not this server")
        yield None
        return
    try:
        session: Session | None = session_of(ws)
    except ApiError as exc:
        await _refuse(ws, 4401, exc.detail)
        yield None
        return
    if session is None:
        await _refuse(ws, 4401, "no session: open the page first, or send 'Authorization: Bearer <token>'")
        yield None
        return
    if not settings.tokens or session.is_teacher:  # the teacher's class page may watch many
        yield session
        return
    quotas = ws.app.state.quotas
    client = session.id
    if not quotas.open_socket(client):
        await _refuse(ws, 4429, f"too many open streams: at most {settings.max_ws_per_client} per session "
                                "(PLAYGROUND_MAX_WS_PER_CLIENT); close another tab and retry in a few seconds")
        yield None
        return
    try:
        yield session
    finally:
        quotas.close_socket(client)
