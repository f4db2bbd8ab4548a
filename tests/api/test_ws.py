"""WS /ws/runs/{id} through the TestClient: state first, events, client messages, unknown run."""

import pytest
from starlette.websockets import WebSocketDisconnect

from api_helpers import start_run, wait_for


def test_unknown_run_gets_error_then_4404(client):
    with client.websocket_connect("/ws/runs/r_nope") as ws:
        msg = ws.receive_json()
        assert msg["type"] == "error" and "not found" in msg["message"]
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_json()
        assert info.value.code == 4404


def test_follow_a_run_to_the_end(client):
    rec = start_run(client, epochs=3)
    types = []
    with client.websocket_connect(f"/ws/runs/{rec['id']}") as ws:
        first = ws.receive_json()
        assert first["type"] == "state" and first["run"]["id"] == rec["id"] and "ts" in first
        while True:
            msg = ws.receive_json()
            types.append(msg["type"])
            assert isinstance(msg["ts"], float)
            if msg["type"] == "done" or (msg["type"] == "status" and msg["status"] in ("finished", "failed")):
                break
    assert "done" in types or "status" in types
    assert wait_for(client, rec["id"])["status"] == "finished"


def test_malformed_messages_keep_the_socket_open(client):
    rec = wait_for(client, start_run(client, steps=2)["id"])
    with client.websocket_connect(f"/ws/runs/{rec['id']}") as ws:
        assert ws.receive_json()["type"] == "state"
        for bad in ("not json", "[1, 2]", '{"kind": "ping"}', '{"type": "dance"}', '{"type": 5}', "x" * 5000):
            ws.send_text(bad)
            msg = ws.receive_json()
            assert msg["type"] == "error" and msg["message"], bad
        ws.send_bytes(b"\x00\x01")
        assert ws.receive_json()["type"] == "error"
        ws.send_json({"type": "ping"})
        assert ws.receive_json()["type"] == "pong"
        ws.send_json({"type": "snapshot"})
        msg = ws.receive_json()
        assert msg["type"] == "state" and msg["run"]["status"] == "finished"
