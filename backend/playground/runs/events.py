"""Event plumbing shared by the worker and the manager.

Events cross the process boundary as JSON text (``Connection.send_bytes``),
never as pickles. ``clean`` makes engine output strictly JSON-safe: NaN and
infinities (a diverging loss) become None, NumPy scalars and arrays become
Python numbers and lists, so the API can serialise a record or event as is.
"""

from __future__ import annotations

import json
import time

from playground.viz.json_safe import finite

# Events cross to the websocket as JSON: NaN/inf become null (one rule, viz/json_safe.py).
clean = finite


def encode(msg: dict) -> bytes:
    return json.dumps(clean(msg), allow_nan=False).encode()


def decode(data: bytes) -> dict:
    return json.loads(data)


def stamp(event: dict) -> dict:
    """The ``ts`` every event carries (docs/api.md): when it was produced."""
    if "ts" not in event:
        event["ts"] = time.time()
    return event
