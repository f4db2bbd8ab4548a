"""POST /api/runs is generated from the engine's one run configuration
(engine/run_config.py): every API setting reaches the request model and the
OpenAPI schema with its type, default, bounds, enum and description (and no
engine-only knob does), a bad value of each is a 422 at that field, and the
server's limits sit on top."""

import sys
import typing
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))

from test_run_config import bad_values  # noqa: E402

from api_helpers import MLP_2D, locs, make_settings, start_run, wait_for  # noqa: E402
from playground.api.schemas.runs import RunCreate, RunCreateBase  # noqa: E402
from playground.engine.run_config import API_FIELDS, BY_NAME, FIELDS  # noqa: E402

LIMITED = {"epochs": "max_epochs", "steps": "max_steps", "batch_size": "max_batch_size"}


def _kind(annotation) -> tuple[type, bool]:
    """(Python type, optional) of a pydantic field annotation."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    optional = len(args) < len(typing.get_args(annotation))
    base = args[0] if optional else annotation
    if typing.get_origin(base) is typing.Literal:
        return str, optional
    return typing.get_origin(base) or base, optional


def test_request_model_is_generated_from_the_definition():
    train = set(RunCreate.model_fields) - set(RunCreateBase.model_fields)
    assert train == {s.name for s in API_FIELDS}
    assert not {s.name for s in FIELDS if not s.api} & set(RunCreate.model_fields)
    for s in API_FIELDS:
        f = RunCreate.model_fields[s.name]
        assert _kind(f.annotation) == (s.kind, s.optional), s.name
        assert f.get_default(call_default_factory=True) == s.default, s.name
        if s.choices:
            assert typing.get_args(f.annotation) == s.choices


def test_openapi_shows_defaults_bounds_and_vocabularies(client):
    settings = client.app.state.settings
    props = client.get("/openapi.json").json()["components"]["schemas"]["RunCreate"]["properties"]
    for s in API_FIELDS:
        prop = props[s.name]
        target = next((p for p in prop.get("anyOf", []) if p.get("type") != "null"), prop)
        assert prop["description"] == s.help, s.name
        assert prop.get("default") == s.default, s.name
        if s.choices:
            assert tuple(target["enum"]) == s.choices
        if s.low is not None:
            assert target["exclusiveMinimum" if s.low_open else "minimum"] == s.low, s.name
        if s.name in LIMITED:  # the server's limit, applied on top of the definition
            assert target["maximum"] == getattr(settings, LIMITED[s.name]), s.name
        elif s.high is not None:
            assert target["maximum"] == s.high, s.name


@pytest.mark.parametrize("setting", API_FIELDS, ids=lambda s: s.name)
def test_a_bad_value_of_each_setting_is_a_422_at_its_field(client, setting):
    base = {"spec": MLP_2D, "dataset": "circle", "steps": 2}
    for value in bad_values(setting):
        if isinstance(value, float) and value != value or value in (float("inf"),):
            continue  # not JSON; the API's JSON parser refuses it before any field
        r = client.post("/api/runs", json={**base, setting.name: value})
        assert r.status_code == 422, (setting.name, value, r.text)
        assert any(loc[:2] == ("body", setting.name) for loc in locs(r)), (setting.name, value, r.text)


def test_optimizer_params_refused_at_their_key(client):
    for params, key in (({"momentum": 0.5}, "momentum"), ({"lr": 0.5}, "lr"), ({"beta1": 2.0}, "beta1")):
        r = client.post("/api/runs", json={"spec": MLP_2D, "dataset": "circle", "optimizer": "adam"
                                           if key == "beta1" else "sgd", "optimizer_params": params})
        assert r.status_code == 422 and ("body", "optimizer_params", key) in locs(r), r.text


def test_epochs_0_with_steps_runs_the_steps_and_without_steps_is_refused(client):
    rec = start_run(client, epochs=0, steps=3)
    assert rec["config"]["epochs"] == 0 and rec["config"]["steps"] == 3
    done = wait_for(client, rec["id"])
    assert done["status"] == "finished" and done["progress"]["step"] == 3
    r = client.post("/api/runs", json={"spec": MLP_2D, "dataset": "circle", "epochs": 0})
    assert r.status_code == 422 and locs(r) == [("body", "epochs")]
    assert "steps" in r.json()["detail"][0]["msg"]


def test_server_limits_apply_on_top(tmp_path):
    from fastapi.testclient import TestClient

    from playground.api.app import create_app

    with TestClient(create_app(make_settings(tmp_path, max_epochs=3))) as c:
        r = c.post("/api/runs", json={"spec": MLP_2D, "dataset": "circle", "epochs": 4})
        assert r.status_code == 422 and locs(r) == [("body", "epochs")] and "limit" in r.text
        props = c.get("/openapi.json").json()["components"]["schemas"]["RunCreate"]["properties"]
        assert props["epochs"]["maximum"] == 3 and props["epochs"]["minimum"] == BY_NAME["epochs"].low
