"""Fair shares of one server between the sessions of a class (tokens mode).

- rates: creates (runs, uploads, imports) per session, new sessions per client
  address; a moving window from the `limits` package (well kept, exact windows,
  and it tells when the window frees up, which the 429 passes on);
- quotas: count and bytes of one session's uploads and imported models;
- websockets open per client.

Every refusal is a 429 naming the limit (its PLAYGROUND_* setting) and when
to retry. The teacher and an `open` server's local user are exempt.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from playground.api.errors import too_many
from playground.api.sessions import Session
from playground.api.settings import Settings

# A quota refusal frees up only when the student deletes something.
QUOTA_RETRY_S = 60


class Quotas:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._create = parse(settings.create_rate)
        self._session = parse(settings.session_rate)
        self._sockets: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _hit(self, item: RateLimitItem, key: str, what: str, setting: str) -> None:
        if self._limiter.hit(item, key):
            return
        reset = self._limiter.get_window_stats(item, key).reset_time
        raise too_many(f"too many {what}: the limit is {item} "
                       f"({setting})", reset - time.time())

    def create(self, session: Session, what: str = "creates") -> None:
        """One run, upload or import made by a session."""
        if session.is_teacher:
            return
        self._hit(self._create, session.id, f"{what} from one session", "PLAYGROUND_CREATE_RATE")

    def new_session(self, client: str) -> None:
        self._hit(self._session, "session:" + client, "new sessions from one address", "PLAYGROUND_SESSION_RATE")

    def stored(self, session: Session, kind: str, items: list[dict], size: int) -> None:
        """Before keeping one more upload or model of `size` bytes for the session:
        `items` are what it owns already (each with a "bytes")."""
        if session.is_teacher:
            return
        s = self.settings
        count_limit, bytes_limit = ((s.max_uploads_per_user, s.max_upload_bytes_per_user) if kind == "upload"
                                    else (s.max_models_per_user, s.max_model_bytes_per_user))
        env = "UPLOADS" if kind == "upload" else "MODELS"
        if len(items) >= count_limit:
            raise too_many(f"your session has {len(items)} {kind}s, the most one session may keep "
                           f"(PLAYGROUND_MAX_{env}_PER_USER={count_limit}); delete one first", QUOTA_RETRY_S)
        used = sum(int(i.get("bytes") or 0) for i in items)
        if used + size > bytes_limit:
            raise too_many(f"this {kind} ({size:,} bytes) would take your session to {used + size:,} bytes, "
                           f"above PLAYGROUND_MAX_{env[:-1]}_BYTES_PER_USER={bytes_limit:,}; delete one first",
                           QUOTA_RETRY_S)

    # -- websockets -------------------------------------------------------------------

    def open_socket(self, client: str) -> bool:
        """Count one more websocket of a client; False when at the cap."""
        with self._lock:
            if self._sockets[client] >= self.settings.max_ws_per_client:
                return False
            self._sockets[client] += 1
            return True

    def close_socket(self, client: str) -> None:
        with self._lock:
            self._sockets[client] -= 1
            if self._sockets[client] <= 0:
                del self._sockets[client]
