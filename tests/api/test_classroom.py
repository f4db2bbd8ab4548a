"""Classroom mode (PLAYGROUND_AUTH=tokens): two students and a teacher.

Every change to someone else's run, upload or model is 403, no token is 401,
the teacher may do everything; watching stays open; uploaded data stays with
its owner; cross-site form posts are refused; per-session shares and create
rates answer 429 with Retry-After.
"""

from __future__ import annotations

import io
import json
import time
import zipfile

import numpy as np
import pytest

from api_helpers import MLP_2D, make_settings, wait_for

TEACHER = "teacher-token-for-tests-0123456789"
LONG = {"spec": MLP_2D, "dataset": "xor", "dataset_params": {"n_samples": 200, "noise": 0.1},
        "steps": 1_000_000, "batch_size": 8, "lr": 0.1}
SHORT = {"spec": MLP_2D, "dataset": "circle", "dataset_params": {"n_samples": 200, "noise": 0.1},
         "epochs": 1, "batch_size": 32, "lr": 0.1}


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    home = tmp_path_factory.mktemp("room")
    settings = make_settings(home, auth="tokens", teacher_token=TEACHER, max_runs=2, max_queue=20,
                             create_rate="1000/minute", max_uploads_per_user=2)
    with TestClient(create_app(settings)) as c:
        ann = c.post("/api/session", json={"name": "Ann"}).json()
        bob = c.post("/api/session", json={"name": "Bob"}).json()
        c.cookies.clear()  # the client keeps the last Set-Cookie; each call names its session
        yield c, bearer(ann["token"]), bearer(bob["token"]), bearer(TEACHER)


def test_session_created_with_cookie_and_hashed(room, tmp_path):
    c, ann, *_ = room
    r = c.post("/api/session", json={"name": "Cleo"})
    assert r.status_code == 201
    body = r.json()
    assert body["role"] == "student" and body["name"] == "Cleo" and len(body["token"]) >= 43  # 256 bits
    cookie = r.headers["set-cookie"]
    assert "pg_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    c.cookies.clear()
    db = c.app.state.settings.home / "sessions.db"
    assert body["token"].encode() not in db.read_bytes()  # only its hash is stored
    assert c.get("/api/session", headers=bearer(body["token"])).json()["name"] == "Cleo"


@pytest.mark.parametrize("name", ["", "x" * 41, "tab\there", "   "])
def test_session_name_rules(room, name):
    c, *_ = room
    r = c.post("/api/session", json={"name": name})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "name"


def test_no_token_is_401_and_unknown_token_is_401(room):
    c, *_ = room
    for method, path in [("GET", "/api/runs"), ("POST", "/api/runs"), ("GET", "/api/datasets")]:
        r = c.request(method, path, json=SHORT if method == "POST" else None)
        assert r.status_code == 401, (path, r.text)
        assert "session" in r.json()["detail"]
    r = c.get("/api/runs", headers=bearer("made-up"))
    assert r.status_code == 401 and "not known" in r.json()["detail"]
    assert c.get("/api/health").status_code == 200  # health stays open


def test_others_cannot_change_a_run_the_teacher_can(room):
    c, ann, bob, teacher = room
    run = c.post("/api/runs", json=LONG, headers=ann).json()
    assert run["owner_name"] == "Ann"
    wait_for_status = lambda s: wait_for(_As(c, ann), run["id"], statuses=s)  # noqa: E731
    wait_for_status(("running",))
    # Watching is open to the class.
    assert run["id"] in [r["id"] for r in c.get("/api/runs", headers=bob).json()]
    assert c.get(f"/api/runs/{run['id']}/metrics", headers=bob).status_code == 200
    attempts = [("POST", "pause", None), ("POST", "stop", None), ("POST", "step", {"n": 1}),
                ("PATCH", "", {"lr": 99}), ("PATCH", "", {"name": "mine now"}), ("GET", "export", None),
                ("DELETE", "", None)]
    for method, action, body in attempts:
        path = f"/api/runs/{run['id']}" + (f"/{action}" if action else "")
        r = c.request(method, path, json=body, headers=bob)
        assert r.status_code == 403, (method, path, r.text)
        detail = r.json()["detail"]
        assert "belongs to Ann" in detail and "Traceback" not in detail and "/" not in detail.split("run")[0]
        r = c.request(method, path, json=body, headers={"X-Playground": "1"})
        assert r.status_code == 401, (method, path, r.text)
    assert c.get(f"/api/runs/{run['id']}", headers=ann).json()["config"]["lr"] == 0.1
    # The teacher may act on every run.
    assert c.patch(f"/api/runs/{run['id']}", json={"lr": 0.05}, headers=teacher).status_code == 200
    assert c.post(f"/api/runs/{run['id']}/pause", headers=teacher).status_code == 200
    deadline = time.monotonic() + 30
    while not c.get(f"/api/runs/{run['id']}", headers=teacher).json().get("checkpoint"):
        assert time.monotonic() < deadline, "no checkpoint after pausing"
        time.sleep(0.1)
    assert c.get(f"/api/runs/{run['id']}/export", headers=teacher).status_code == 200
    assert c.delete(f"/api/runs/{run['id']}", headers=teacher).status_code == 204


class _As:
    """A client whose GETs carry one session's token (for api_helpers.wait_for)."""

    def __init__(self, client, headers):
        self.client, self.headers = client, headers

    def get(self, path, **kw):
        return self.client.get(path, headers=self.headers, **kw)


def test_owner_controls_own_run(room):
    c, ann, *_ = room
    run = c.post("/api/runs", json=LONG, headers=ann).json()
    wait_for(_As(c, ann), run["id"], statuses=("running",))
    assert c.post(f"/api/runs/{run['id']}/pause", headers=ann).status_code == 200
    assert c.post(f"/api/runs/{run['id']}/stop", headers=ann).status_code == 200
    wait_for(_As(c, ann), run["id"])
    assert c.delete(f"/api/runs/{run['id']}", headers=ann).status_code == 204


def test_cross_site_form_post_is_refused(room):
    c, ann, *_ = room
    cookie_only = {"Cookie": f"pg_session={ann['Authorization'].split()[1]}"}
    r = c.post("/api/runs", content="spec=x", headers={**cookie_only,
                                                        "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 403 and "form" in r.json()["detail"]
    r = c.post("/api/runs", json=SHORT, headers={**cookie_only, "Origin": "http://evil.example"})
    assert r.status_code == 403 and "Origin" in r.json()["detail"]
    # The page's own requests: cookie + JSON or the custom header, same origin.
    r = c.post("/api/models/validate", json={"spec": MLP_2D},
               headers={**cookie_only, "Origin": "http://testserver"})
    assert r.status_code == 200, r.text


def npz(n=60):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2)).astype(np.float32)
    buf = io.BytesIO()
    np.savez(buf, x=x, y=(x[:, 0] > 0).astype(np.int64))
    return buf.getvalue()


def test_uploads_are_private_to_owner_and_teacher(room):
    c, ann, bob, teacher = room
    up = c.post("/api/datasets/upload", files={"file": ("ann.npz", npz())}, headers=ann).json()
    name = up["name"]
    assert name in [d["name"] for d in c.get("/api/datasets", headers=ann).json()]
    assert name not in [d["name"] for d in c.get("/api/datasets", headers=bob).json()]
    assert name in [d["name"] for d in c.get("/api/datasets", headers=teacher).json()]
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 2}]}
    r = c.post("/api/runs", json={"spec": spec, "dataset": name, "epochs": 1}, headers=bob)
    assert r.status_code == 403 and "belongs to Ann" in r.json()["detail"]
    run = c.post("/api/runs", json={"spec": spec, "dataset": name, "epochs": 1}, headers=ann).json()
    wait_for(_As(c, ann), run["id"])
    # What is derived from the data (evaluation gallery, data points) stays private too.
    for path in ("evaluation", "decision-grid"):
        assert c.get(f"/api/runs/{run['id']}/{path}", headers=bob).status_code == 403
        assert c.get(f"/api/runs/{run['id']}/{path}", headers=teacher).status_code == 200
    assert c.get(f"/api/runs/{run['id']}/evaluation", headers=ann).status_code == 200
    assert c.delete(f"/api/datasets/{name}", headers=bob).status_code == 403
    assert c.delete(f"/api/datasets/{name}", headers=ann).status_code == 204
    assert c.delete(f"/api/datasets/{name}", headers=ann).status_code == 404


def test_upload_quota_is_429(room):
    c, _, bob, _ = room
    names = []
    for _ in range(2):
        r = c.post("/api/datasets/upload", files={"file": ("b.npz", npz())}, headers=bob)
        assert r.status_code == 201
        names.append(r.json()["name"])
    r = c.post("/api/datasets/upload", files={"file": ("b.npz", npz())}, headers=bob)
    assert r.status_code == 429 and "PLAYGROUND_MAX_UPLOADS_PER_USER" in r.json()["detail"]
    assert int(r.headers["Retry-After"]) > 0
    c.delete(f"/api/datasets/{names[0]}", headers=bob)
    assert c.post("/api/datasets/upload", files={"file": ("b.npz", npz())}, headers=bob).status_code == 201


def export_zip(c, run_id, headers) -> bytes:
    r = c.get(f"/api/runs/{run_id}/export", headers=headers)
    assert r.status_code == 200
    zipfile.ZipFile(io.BytesIO(r.content)).testzip()
    return r.content


def test_imported_models_have_owners(room):
    c, ann, bob, teacher = room
    run = c.post("/api/runs", json=SHORT, headers=ann).json()
    wait_for(_As(c, ann), run["id"])
    data = export_zip(c, run["id"], ann)
    model = c.post("/api/models/import", files={"file": ("m.zip", data)}, headers=ann).json()
    assert model["owner_name"] == "Ann"
    assert c.delete(f"/api/models/{model['id']}", headers=bob).status_code == 403
    for fmt in ("zip", "onnx", "pytorch"):
        assert c.get(f"/api/models/{model['id']}/export", params={"format": fmt}, headers=bob).status_code == 403
        assert c.get(f"/api/runs/{run['id']}/export", params={"format": fmt}, headers=bob).status_code == 403
    assert c.get(f"/api/models/{model['id']}/export", params={"format": "onnx"}, headers=ann).status_code == 200
    r = c.post("/api/runs", json={**SHORT, "initial_weights": {"model_id": model["id"]}}, headers=bob)
    assert r.status_code == 403
    r = c.post("/api/runs", json={**SHORT, "initial_weights": {"run_id": run["id"]}}, headers=bob)
    assert r.status_code == 403
    # Predicting with a classmate's model is watching, not changing.
    r = c.post(f"/api/models/{model['id']}/predict", json={"input": [[0.0, 0.0]]}, headers=bob)
    assert r.status_code == 200
    assert c.delete(f"/api/models/{model['id']}", headers=teacher).status_code == 204


def test_class_page_and_pin_are_the_teachers(room):
    c, ann, bob, teacher = room
    assert c.get("/api/class", headers=bob).status_code == 403
    run = c.post("/api/runs", json=SHORT, headers=ann).json()
    wait_for(_As(c, ann), run["id"])
    view = c.get("/api/class", headers=teacher).json()
    tile = next(t for t in view["tiles"] if t["id"] == run["id"])
    assert tile["owner_name"] == "Ann" and tile["summary"].startswith("2 > dense 8")
    assert tile["status"] == "finished" and tile["trace"] and tile["test_accuracy"] is not None
    assert view["leaderboard"] and view["limits"]["max_runs_per_user"] == 1
    assert c.put("/api/class/pin", json={"kind": "tab", "target": "learn"}, headers=bob).status_code == 403
    r = c.put("/api/class/pin", json={"kind": "run", "target": run["id"]}, headers=teacher)
    assert r.status_code == 200 and r.json()["pin"] == {"kind": "run", "target": run["id"]}
    assert c.get("/api/class/pin", headers=bob).json()["pin"]["target"] == run["id"]
    assert c.put("/api/class/pin", json={"kind": "tab", "target": "nope"}, headers=teacher).status_code == 422
    assert c.put("/api/class/pin", json={"kind": "run", "target": "r_missing"}, headers=teacher).status_code == 404
    assert c.delete("/api/class/pin", headers=teacher).status_code == 204
    assert c.get("/api/class/pin", headers=bob).json()["pin"] is None


def test_class_websocket_follows_pins_and_needs_a_session(room):
    from starlette.websockets import WebSocketDisconnect

    c, ann, bob, teacher = room
    with c.websocket_connect("/ws/class", headers=bob) as ws:
        assert ws.receive_json()["type"] == "pin"
        c.put("/api/class/pin", json={"kind": "lab", "target": "perc"}, headers=teacher)
        msg = ws.receive_json()
        assert msg["pin"] == {"kind": "lab", "target": "perc"}
        ws.send_text(json.dumps({"type": "ping"}))
        assert ws.receive_json()["type"] == "pong"
    with c.websocket_connect("/ws/class") as ws:
        assert ws.receive_json()["type"] == "error"
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_json()
        assert info.value.code == 4401
    with c.websocket_connect("/ws/class", headers={**bob, "Origin": "http://evil.example"}) as ws:
        ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_json()
        assert info.value.code == 4403


def test_websocket_cap_per_session(room):
    from starlette.websockets import WebSocketDisconnect

    c, *_ = room
    token = c.post("/api/session", json={"name": "Many tabs"}).json()["token"]
    c.cookies.clear()
    cap = c.app.state.settings.max_ws_per_client
    sockets = [c.websocket_connect("/ws/class", headers=bearer(token)) for _ in range(cap)]
    opened = [s.__enter__() for s in sockets]
    try:
        for ws in opened:
            assert ws.receive_json()["type"] == "pin"
        with c.websocket_connect("/ws/class", headers=bearer(token)) as extra:
            msg = extra.receive_json()
            assert msg["type"] == "error" and "PLAYGROUND_MAX_WS_PER_CLIENT" in msg["message"]
            with pytest.raises(WebSocketDisconnect) as info:
                extra.receive_json()
            assert info.value.code == 4429
    finally:
        for s in sockets:
            s.__exit__(None, None, None)


def test_per_session_share_is_1_running_2_queued(room):
    c, *_ = room
    token = c.post("/api/session", json={"name": "Eager"}).json()["token"]
    c.cookies.clear()
    me = bearer(token)
    runs = [c.post("/api/runs", json=LONG, headers=me) for _ in range(3)]
    assert [r.status_code for r in runs] == [201, 201, 201]
    r = c.post("/api/runs", json=LONG, headers=me)
    assert r.status_code == 429 and "PLAYGROUND_MAX_RUNS_PER_USER" in r.json()["detail"]
    assert int(r.headers["Retry-After"]) > 0
    first = wait_for(_As(c, me), runs[0].json()["id"], statuses=("running",))
    assert first["status"] == "running"
    # The second waits for the student's own first run although a worker is free.
    second = c.get(f"/api/runs/{runs[1].json()['id']}", headers=me).json()
    assert second["status"] == "queued" and c.app.state.manager.counts()["active"] <= 2
    for run in runs:
        c.delete(f"/api/runs/{run.json()['id']}", headers=me)


def test_tokens_survive_a_restart(tmp_path):
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    settings = make_settings(tmp_path, auth="tokens", teacher_token=TEACHER)
    with TestClient(create_app(settings)) as c:
        token = c.post("/api/session", json={"name": "Dee"}).json()["token"]
    with TestClient(create_app(make_settings(tmp_path, auth="tokens", teacher_token=TEACHER))) as c:
        assert c.get("/api/session", headers=bearer(token)).json()["name"] == "Dee"


def test_create_rate_limit(tmp_path):
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    settings = make_settings(tmp_path, auth="tokens", teacher_token=TEACHER, create_rate="2/minute",
                             session_rate="3/minute", max_runs_per_user=5, max_queued_per_user=5)
    with TestClient(create_app(settings)) as c:
        me = bearer(c.post("/api/session").json()["token"])
        c.cookies.clear()
        assert [c.post("/api/runs", json=SHORT, headers=me).status_code for _ in range(2)] == [201, 201]
        r = c.post("/api/runs", json=SHORT, headers=me)
        assert r.status_code == 429 and "PLAYGROUND_CREATE_RATE" in r.json()["detail"]
        assert 0 < int(r.headers["Retry-After"]) <= 60
        # The teacher is not rate limited; new sessions from one address are.
        assert c.post("/api/runs", json=SHORT, headers=bearer(TEACHER)).status_code == 201
        statuses = [c.post("/api/session").status_code for _ in range(3)]
        assert statuses == [201, 201, 429]  # the fixture's first session counted too


def test_open_mode_needs_no_token(tmp_path):
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    with TestClient(create_app(make_settings(tmp_path))) as c:
        assert c.app.state.settings.auth == "open"
        assert c.get("/api/session").json()["role"] == "teacher"
        assert c.get("/api/class").status_code == 200


def test_auth_default_follows_the_bind(tmp_path):
    from playground.api.settings import Settings

    assert Settings(home=tmp_path, host="127.0.0.1").auth == "open"
    assert Settings(home=tmp_path, host="0.0.0.0").auth == "tokens"
    assert Settings(home=tmp_path, host="0.0.0.0", auth="open").auth == "open"
