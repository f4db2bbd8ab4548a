"""One encoder from worker to websocket (runs/events.py to_json): NaN/Inf become
null, NumPy values numbers, and an event shared by many viewers is encoded once."""

import json

import numpy as np

from playground.api.routers import ws
from playground.api.routers.ws import EncodeCache, _parse
from playground.runs.events import decode, encode, to_json


def test_non_finite_and_numpy_values_become_json():
    event = {"type": "step", "loss": float("nan"), "hist": [1.0, float("inf")], "lr": np.float32(0.5),
             "w": np.array([1.0, np.nan]), "ts": 1.0}
    want = {"type": "step", "loss": None, "hist": [1.0, None], "lr": 0.5, "w": [1.0, None], "ts": 1.0}
    assert json.loads(EncodeCache()(event)) == want
    assert decode(encode(event)) == want  # the pipe from the worker: the same encoder


def test_the_pipe_and_the_websocket_give_the_same_text():
    """What the worker sends is what a viewer gets, byte for byte."""
    event = {"type": "epoch", "epoch": 2, "step": 40, "train": {"loss": 0.25, "accuracy": 0.9},
             "val": None, "ts": 12.5}
    piped = decode(encode(event))
    assert EncodeCache()(piped) == to_json(event) == encode(event).decode()


def test_same_event_object_is_encoded_once(monkeypatch):
    """One event object shared by many viewers is serialised once; an equal but
    different object (a new event) is serialised again; the cache stays bounded
    and never answers for an object it no longer holds."""
    calls = []
    monkeypatch.setattr(ws, "to_json", lambda event: calls.append(event) or to_json(event))
    cache = EncodeCache(size=2)
    event = {"type": "step", "loss": 0.5, "ts": 1.0}
    texts = [cache(event) for _ in range(50)]  # fifty viewers of one run
    assert len(calls) == 1 and len(set(texts)) == 1
    assert json.loads(texts[0]) == event
    other = {"type": "step", "loss": 0.75, "ts": 2.0}
    assert json.loads(cache(other)) == other and len(calls) == 2
    for i in range(5):
        assert json.loads(cache({"type": "step", "step": i})) == {"type": "step", "step": i}
    # `event` was pushed out by newer ones: asked again, it is encoded again, not served stale.
    assert json.loads(cache(event)) == event and len(calls) == 8


def test_client_message_parsing():
    assert _parse('{"type": "ping"}') == ("ping", None)
    assert _parse('{"type": "snapshot", "extra": 1}') == ("snapshot", None)
    for bad in ("", "null", "[]", '{"type": null}', '{"type": "stop"}', "x" * 5000):
        kind, problem = _parse(bad)
        assert kind is None and problem
