"""Sessions (classroom mode): what POST /api/session takes and returns."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from playground.api.sessions import NAME_MAX


class SessionCreate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=NAME_MAX,
                             description="display name, 1-40 printable characters")


class SessionLogin(BaseModel):
    token: str = Field(min_length=1, max_length=200)


class SessionOut(BaseModel):
    id: str
    name: str
    role: Literal["student", "teacher"]
    auth: Literal["open", "tokens"]


class SessionCreated(SessionOut):
    token: str = Field(description="send as 'Authorization: Bearer <token>'; also set as the pg_session cookie")
