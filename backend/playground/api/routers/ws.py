"""Live stream of one run.

WS /ws/runs/{run_id}   the run's state on connect, then its events (step, epoch,
                       status, snapshot, eval, done). Client messages:
                       {"type": "ping"} -> pong; {"type": "snapshot"} -> fresh state
                       (+ a weight snapshot); anything else -> {"type": "error"}.
Unknown run: an error message, then close code 4404. Tokens mode: any session may
watch any run; no session 4401, another origin 4403, too many sockets 4429
(api/ws_admission.py).

Events come from the run manager's subscribe(): a per-viewer latest-state
mailbox, so a slow viewer skips intermediate steps and never slows training.
They are encoded by runs/events.py ``to_json``, the encoder every hop from the
worker uses; EncodeCache encodes an event shared by many viewers once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from playground.api.ws_admission import admitted
from playground.runs.errors import RunNotFound, RunsError
from playground.runs.events import stamp, to_json
from playground.runs.protocol import RunManagerProtocol

router = APIRouter(tags=["stream"])
NOT_FOUND = 4404
MAX_CLIENT_MESSAGE = 4096


class EncodeCache:
    """The run manager hands the same event object to every viewer of a run:
    encode it once, not once per viewer. Entries keep their event alive, so an
    id() is never reused while it is a key."""

    def __init__(self, size: int = 512):
        self.size = size
        self._items: OrderedDict[int, tuple[dict, str]] = OrderedDict()

    def __call__(self, event: dict[str, Any]) -> str:
        key = id(event)
        hit = self._items.get(key)
        if hit is not None and hit[0] is event:
            return hit[1]
        text = to_json(event)
        self._items[key] = (event, text)
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return text


encode = EncodeCache()


class Viewer:
    """One websocket; sends from the event pump and the reader never interleave."""

    def __init__(self, ws: WebSocket):
        self.ws = ws
        self.lock = asyncio.Lock()

    async def send(self, message: dict[str, Any], shared: bool = False) -> None:
        """`shared`: the event object goes to every viewer (encode once, never mutate)."""
        if "ts" not in message:
            message = stamp(dict(message))
        text = encode(message) if shared else to_json(message)
        async with self.lock:
            await self.ws.send_text(text)

    async def error(self, text: str) -> None:
        await self.send({"type": "error", "message": text})


def _parse(text: str) -> tuple[str | None, str | None]:
    """-> (message type, error text)."""
    if len(text) > MAX_CLIENT_MESSAGE:
        return None, f"message too long (more than {MAX_CLIENT_MESSAGE} characters)"
    try:
        msg = json.loads(text)
    except ValueError:
        return None, "message is not JSON"
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        return None, 'message must be a JSON object with a "type" ("ping" or "snapshot")'
    if msg["type"] not in ("ping", "snapshot"):
        return None, f'unknown message type {msg["type"]!r}; use "ping" or "snapshot"'
    return msg["type"], None


async def _pump(viewer: Viewer, manager: RunManagerProtocol, run_id: str) -> None:
    # aclosing: a viewer that leaves early takes its mailbox out of the run's
    # channel at once, not whenever the generator is collected.
    async with contextlib.aclosing(manager.subscribe(run_id)) as events:
        async for event in events:
            await viewer.send(event, shared=event.get("type") != "state")


async def _answer(viewer: Viewer, manager: RunManagerProtocol, run_id: str) -> None:
    while True:
        message = await viewer.ws.receive()
        if message["type"] == "websocket.disconnect":
            return
        text = message.get("text")
        if text is None:
            await viewer.error("binary messages are not understood; send JSON text")
            continue
        kind, problem = _parse(text)
        if problem:
            await viewer.error(problem)
        elif kind == "ping":
            await viewer.send({"type": "pong"})
        else:
            try:
                await manager.request_snapshot(run_id)
            except RunNotFound:
                pass  # reported just below by get()
            except RunsError:
                pass  # a finished run has no worker to snapshot; its state still answers
            try:
                await viewer.send({"type": "state", "run": await manager.get(run_id)})
            except RunNotFound as exc:  # deleted while watched
                await viewer.error(exc.message)


@router.websocket("/ws/runs/{run_id}")
async def run_stream(ws: WebSocket, run_id: str) -> None:
    async with admitted(ws) as session:
        if session is not None:
            await _stream(ws, run_id)


async def _stream(ws: WebSocket, run_id: str) -> None:
    manager = ws.app.state.manager
    await ws.accept()
    viewer = Viewer(ws)
    try:
        await manager.get(run_id)
    except RunNotFound as exc:
        await viewer.error(exc.message)
        await ws.close(code=NOT_FOUND)
        return
    pump = asyncio.create_task(_pump(viewer, manager, run_id))
    reader = asyncio.create_task(_answer(viewer, manager, run_id))
    try:
        # The stream ends at a terminal status; the socket stays open for
        # pings and state requests until the client leaves.
        await reader
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        pump.cancel()
        reader.cancel()
        await asyncio.gather(pump, reader, return_exceptions=True)
