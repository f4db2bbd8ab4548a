"""Sessions without accounts (classroom mode): a random token names a person.

`POST /api/session` makes one: a token of 256 random bits, shown once to its
holder and kept only as its SHA-256 (a token is as strong as a key, so a fast
hash is enough: nothing to brute-force, and a stolen database holds no usable
token). Sessions live in `HOME/sessions.db` and survive a restart.

The teacher is not in the database: their token is the setting
`PLAYGROUND_TEACHER_TOKEN` (or one made at start), compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from playground.runs.owner import LOCAL, TEACHER, Owner

Role = Literal["student", "teacher"]
TOKEN_BYTES = 32
NAME_MAX = 40
_CACHE_SIZE = 4096

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, token_hash TEXT UNIQUE NOT NULL, name TEXT NOT NULL,
    created_at REAL NOT NULL);
"""


@dataclass(frozen=True)
class Session:
    id: str
    name: str
    role: Role

    @property
    def is_teacher(self) -> bool:
        return self.role == "teacher"

    @property
    def owner(self) -> Owner:
        return Owner(self.id, self.name)

    def may_change(self, owner_id: str | None) -> bool:
        """Owners change their own things; the teacher changes everything.
        Things made before classroom mode (owner None) belong to the local user."""
        return self.is_teacher or (owner_id or LOCAL.id) == self.id


# Who acts on a server in `open` mode: the one local user, with every right.
LOCAL_SESSION = Session(LOCAL.id, LOCAL.name, "teacher")
TEACHER_SESSION = Session(TEACHER.id, TEACHER.name, "teacher")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def check_name(name: str) -> str | None:
    """The problem with a display name, or None: 1-40 printable characters."""
    if not 1 <= len(name) <= NAME_MAX:
        return f"name must have 1 to {NAME_MAX} characters"
    if not name.isprintable() or not name.strip():
        return "name must be printable characters, not only spaces"
    return None


class SessionStore:
    def __init__(self, path: Path, teacher_token: str):
        self._teacher_hash = hash_token(teacher_token)
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, Session] = OrderedDict()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
            self._count = self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def create(self, name: str | None = None) -> tuple[str, Session]:
        """A new student session -> (token, session). The token is not kept."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self._lock:
            self._count += 1
            session = Session("s_" + secrets.token_hex(6), name or f"Student {self._count}", "student")
            self._db.execute("INSERT INTO sessions (id, token_hash, name, created_at) VALUES (?,?,?,?)",
                             (session.id, hash_token(token), session.name, time.time()))
        return token, session

    def lookup(self, token: str) -> Session | None:
        if not token or len(token) > 200:
            return None
        digest = hash_token(token)
        if hmac.compare_digest(digest, self._teacher_hash):
            return TEACHER_SESSION
        with self._lock:
            hit = self._cache.get(digest)
            if hit is not None:
                self._cache.move_to_end(digest)
                return hit
            row = self._db.execute("SELECT id, name FROM sessions WHERE token_hash=?", (digest,)).fetchone()
            if row is None:
                return None
            session = Session(row["id"], row["name"], "student")
            self._cache[digest] = session
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
            return session

    def names(self) -> dict[str, str]:
        """Session id -> display name (the class page)."""
        with self._lock:
            rows = self._db.execute("SELECT id, name FROM sessions").fetchall()
        return {r["id"]: r["name"] for r in rows}
