"""The teacher's room: the class page's data and presenter mode.

GET    /api/class         (teacher) every run as a tile (owner, model summary, status,
                          loss sparkline, accuracy), the leaderboard by test accuracy,
                          run counts, the limits, the current pin
GET    /api/class/pin     the current pin (any session: students' pages follow it)
PUT    /api/class/pin     (teacher) {"kind": "run"|"tab"|"lab", "target": ...}
DELETE /api/class/pin     (teacher) stop presenting
WS     /ws/class          {"type": "pin", "pin", "version"} now and at every change
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request, Response, WebSocket, WebSocketDisconnect

from playground.api.auth import TeacherDep
from playground.api.errors import ApiError
from playground.api.frontend import TABS
from playground.api.schemas.classroom import ClassView, Pin, PinOut
from playground.api.schemas.common import ERROR_RESPONSES, Responses
from playground.api.ws_admission import admitted
from playground.runs.protocol import RunManagerProtocol

router = APIRouter(prefix="/class", tags=["class"])
ws_router = APIRouter(tags=["class"])
LEADERBOARD = 10
TILES = 300
R: Responses = {403: ERROR_RESPONSES[403], 404: ERROR_RESPONSES[404], 422: ERROR_RESPONSES[422]}


class Classroom:
    """The pin and the followers' mailboxes (event loop only: no locks)."""

    def __init__(self) -> None:
        self.pin: dict | None = None
        self.version = 0
        self._followers: set[asyncio.Queue[dict[str, Any]]] = set()

    def state(self) -> dict[str, Any]:
        return {"pin": self.pin, "version": self.version}

    def set(self, pin: dict[str, Any] | None) -> dict[str, Any]:
        self.pin = pin
        self.version += 1
        message = {"type": "pin", **self.state()}
        for queue in self._followers:
            # Only the newest pin matters to a follower that has not read yet.
            while not queue.empty():
                queue.get_nowait()
            queue.put_nowait(message)
        return self.state()

    @contextlib.contextmanager
    def follower(self) -> Iterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._followers.add(queue)
        try:
            yield queue
        finally:
            self._followers.discard(queue)


def summary(spec: dict[str, Any] | None) -> str:
    """'28x28x1 > conv 8@5 > relu > maxpool > flatten > dense 10' for a tile."""
    if not isinstance(spec, dict):
        return ""
    parts = ["x".join(str(d) for d in spec.get("input_shape") or [])]
    for layer in spec.get("layers") or []:
        kind = str(layer.get("type", "?"))
        if kind == "dense":
            kind = f"dense {layer.get('units')}" + (f" {layer['activation']}" if layer.get("activation") else "")
        elif kind == "conv2d":
            kind = f"conv {layer.get('filters')}@{layer.get('kernel_size')}"
        parts.append(kind)
    return " > ".join(parts)


def _number(value: object) -> int | float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


async def tile(manager: RunManagerProtocol, rec: dict[str, Any]) -> dict[str, Any]:
    latest = rec.get("latest") or {}
    final = rec.get("final") or {}
    progress = rec.get("progress") or {}
    test_part = final.get("test")
    test = test_part if isinstance(test_part, dict) else {}
    return {"id": rec["id"], "name": rec.get("name") or rec["id"], "owner": rec.get("owner"),
            "owner_name": rec.get("owner_name") or "local user", "status": rec["status"],
            "dataset": rec.get("dataset"), "summary": summary(rec.get("spec")),
            "step": int(progress.get("step") or 0), "fraction": float(progress.get("fraction") or 0.0),
            "loss": _number(latest.get("loss_mean", latest.get("loss"))),
            "accuracy": _number(latest.get("accuracy_mean", latest.get("accuracy"))),
            "test_accuracy": _number(test.get("accuracy")),
            "trace": await manager.loss_trace(rec["id"])}


@router.get("", response_model=ClassView, responses=R)
async def class_view(request: Request, _: TeacherDep) -> dict:
    app = request.app
    manager = app.state.manager
    tiles = [await tile(manager, rec) for rec in await manager.list(limit=TILES)]
    ranked = sorted((t for t in tiles if t["test_accuracy"] is not None),
                    key=lambda t: t["test_accuracy"], reverse=True)
    return {"tiles": tiles, "leaderboard": ranked[:LEADERBOARD], "counts": manager.counts(),
            "limits": app.state.settings.limits(), "rates": app.state.settings.rates(),
            "pin": app.state.classroom.state()}


@router.get("/pin", response_model=PinOut)
def get_pin(request: Request) -> dict:
    return request.app.state.classroom.state()


@router.put("/pin", response_model=PinOut, responses=R)
async def put_pin(body: Pin, request: Request, _: TeacherDep) -> dict:
    if body.kind == "run":
        await request.app.state.manager.get(body.target)  # 404 for a run that is not there
    elif body.kind == "tab" and body.target not in TABS:
        raise ApiError(422, f"unknown tab {body.target!r}; tabs: {', '.join(TABS)}")
    return request.app.state.classroom.set(body.model_dump())


@router.delete("/pin", status_code=204, responses=R)
def clear_pin(request: Request, _: TeacherDep) -> Response:
    request.app.state.classroom.set(None)
    return Response(status_code=204)


@ws_router.websocket("/ws/class")
async def class_stream(ws: WebSocket) -> None:
    async with admitted(ws) as session:
        if session is None:
            return
        await ws.accept()
        room = ws.app.state.classroom
        lock = asyncio.Lock()  # the forwarder and the pong never interleave

        async def send(message: dict) -> None:
            async with lock:
                await ws.send_json(message)

        with room.follower() as queue:
            await send({"type": "pin", **room.state()})
            sender = asyncio.create_task(_forward(send, queue))
            try:
                while True:  # pings keep proxies from closing an idle socket
                    message = await ws.receive()
                    if message["type"] == "websocket.disconnect":
                        return
                    if _is_ping(message.get("text")):
                        await send({"type": "pong"})
            except (WebSocketDisconnect, RuntimeError):
                return
            finally:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await sender


async def _forward(send: Callable[[dict[str, Any]], Awaitable[None]], queue: asyncio.Queue[dict[str, Any]]) -> None:
    while True:
        await send(await queue.get())


def _is_ping(text: str | None) -> bool:
    if not text or len(text) > 200:
        return False
    try:
        return json.loads(text) == {"type": "ping"}
    except ValueError:
        return False
