"""The websocket encoder: NaN/Inf become null, shared events are encoded once."""

import json

from playground.api.routers.ws import EncodeCache, _parse


def test_non_finite_numbers_become_null():
    text = EncodeCache()({"type": "step", "loss": float("nan"), "hist": [1.0, float("inf")], "ts": 1.0})
    assert json.loads(text) == {"type": "step", "loss": None, "hist": [1.0, None], "ts": 1.0}


def test_same_event_object_is_encoded_once(monkeypatch):
    """One event object shared by many viewers is serialised once; an equal but
    different object (a new event) is serialised again; the cache stays bounded."""
    from playground.api.routers import ws

    calls = []
    real = ws._dumps
    monkeypatch.setattr(ws, "_dumps", lambda event: calls.append(event) or real(event))
    cache = EncodeCache(size=2)
    event = {"type": "step", "loss": 0.5, "ts": 1.0}
    texts = [cache(event) for _ in range(50)]  # fifty viewers of one run
    assert len(calls) == 1 and len(set(texts)) == 1
    assert json.loads(texts[0]) == event
    other = {"type": "step", "loss": 0.5, "ts": 1.0}
    cache(other)
    assert len(calls) == 2
    for i in range(5):
        cache({"type": "step", "step": i})
    assert len(cache._items) == 2


def test_client_message_parsing():
    assert _parse('{"type": "ping"}') == ("ping", None)
    assert _parse('{"type": "snapshot", "extra": 1}') == ("snapshot", None)
    for bad in ("", "null", "[]", '{"type": null}', '{"type": "stop"}', "x" * 5000):
        kind, problem = _parse(bad)
        assert kind is None and problem
