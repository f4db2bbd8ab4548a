"""GET /api/health, /api/layers, /api/datasets, the page at /, OpenAPI."""

import pytest

from api_helpers import DATA_DIR, make_settings


def test_health(client):
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert body["limits"]["max_layers"] == 50
    assert set(body["runs"]) == {"active", "queued"}


def test_layers_is_the_engine_catalog(client):
    from playground.engine.layers import layer_catalog

    assert client.get("/api/layers").json() == layer_catalog()


def test_datasets_list_builtin_with_availability(client):
    rows = {d["name"]: d for d in client.get("/api/datasets").json()}
    assert rows["circle"]["kind"] == "2d" and rows["circle"]["input_shape"] == [2]
    assert rows["mnist"]["input_shape"] == [28, 28, 1]
    assert rows["mnist"]["available"] is True  # PLAYGROUND_DATA_DIR holds it
    assert all(not d["uploaded"] for d in rows.values())


def test_openapi_and_docs(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/health", "/api/runs", "/api/runs/{run_id}/predict", "/api/models/import",
                 "/api/runs/{run_id}/layers/{index}/filters", "/api/datasets/upload"):
        assert path in paths
    assert client.get("/docs").status_code == 200


def test_index_page_loads_its_modules(client):
    """The page and every file it names under /static are served."""
    import re

    r = client.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', r.text)
    assert any(a.endswith("main.js") for a in assets) and any(a.endswith(".css") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_index_without_frontend(tmp_path):
    """The API works when the frontend folder is missing."""
    pytest.importorskip("playground.runs.manager")
    from fastapi.testclient import TestClient

    from playground.api import frontend
    from playground.api.app import create_app

    original = frontend.find_frontend
    frontend.find_frontend = lambda configured: None
    try:
        app = create_app(make_settings(tmp_path, data_dir=DATA_DIR))
    finally:
        frontend.find_frontend = original
    with TestClient(app) as c:
        assert "/docs" in c.get("/").text
        assert c.get("/api/health").status_code == 200


def test_bootstrap_context(client):
    """The page carries its bootstrap data as JSON: the catalog, datasets, limits,
    the visitor's session and the tab names presenter mode pins."""
    import json
    import re

    html = client.get("/").text
    found = re.search(r'<script type="application/json" id="bootstrap">(.*?)</script>', html, re.S)
    assert found, "no bootstrap script in the page"
    data = json.loads(found.group(1))
    assert set(data) == {"layers", "datasets", "limits", "session", "tabs", "vocabularies"}
    assert data["limits"]["max_params"] == 5_000_000
    assert data["session"] == {"id": "local", "name": "local user", "role": "teacher", "auth": "open"}
    assert "dense" in {layer["type"] for layer in data["layers"]}
    assert "learn" in data["tabs"] and "mnist" in {d["name"] for d in data["datasets"]}


def test_settings_from_environment(monkeypatch, tmp_path):
    from playground.api.settings import Settings

    monkeypatch.setenv("PLAYGROUND_HOME", str(tmp_path))
    monkeypatch.setenv("PLAYGROUND_MAX_BATCH_SIZE", "7")
    s = Settings()
    assert s.home == tmp_path.resolve() and s.max_batch_size == 7
    assert s.database_url == f"sqlite:///{tmp_path.resolve() / 'playground.db'}"
