"""Dependencies shared by the routers, as `Annotated` aliases.

The app keeps its settings, run manager, uploads and templates on
`app.state`; a route asks for them by type, never through a global.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from playground.api.settings import Settings
from playground.api.uploads import UploadStore
from playground.runs.protocol import RunManagerProtocol


def get_settings(conn: HTTPConnection) -> Settings:
    return conn.app.state.settings


def get_manager(conn: HTTPConnection) -> RunManagerProtocol:
    return conn.app.state.manager


def get_uploads(request: Request) -> UploadStore:
    return request.app.state.uploads


SettingsDep = Annotated[Settings, Depends(get_settings)]
ManagerDep = Annotated[RunManagerProtocol, Depends(get_manager)]
UploadsDep = Annotated[UploadStore, Depends(get_uploads)]
