"""The websocket encoder: NaN/Inf become null, shared events are encoded once."""

import json

from playground.api.routers.ws import EncodeCache, _parse


def test_non_finite_numbers_become_null():
    text = EncodeCache()({"type": "step", "loss": float("nan"), "hist": [1.0, float("inf")], "ts": 1.0})
    assert json.loads(text) == {"type": "step", "loss": None, "hist": [1.0, None], "ts": 1.0}


def test_same_event_object_is_encoded_once():
    cache = EncodeCache(size=2)
    event = {"type": "step", "loss": 0.5, "ts": 1.0}
    first = cache(event)
    event["loss"] = 9.0  # a shared event is never mutated; the cache trusts identity
    assert cache(event) is first
    other = {"type": "step", "loss": 0.5, "ts": 1.0}
    assert json.loads(cache(other)) == {"type": "step", "loss": 0.5, "ts": 1.0}


def test_client_message_parsing():
    assert _parse('{"type": "ping"}') == ("ping", None)
    assert _parse('{"type": "snapshot", "extra": 1}') == ("snapshot", None)
    for bad in ("", "null", "[]", '{"type": null}', '{"type": "stop"}', "x" * 5000):
        kind, problem = _parse(bad)
        assert kind is None and problem
