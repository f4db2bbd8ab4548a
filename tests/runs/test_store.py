"""RunStore: records round-trip, staged writes, pruning, models, interrupted runs."""

import time

import pytest

from playground.runs.store import RunStore, sqlite_path


@pytest.fixture
def store(tmp_path):
    s = RunStore(tmp_path / "db" / "runs.db")
    yield s
    s.close()


def _run(run_id, status="queued", created=None):
    return {"id": run_id, "name": run_id, "status": status, "message": "",
            "created_at": time.time() if created is None else created, "spec": {"layers": [{"type": "dense", "units": 2}]},
            "dataset": "xor", "dataset_params": {}, "config": {"lr": 0.1}, "progress": None}


def test_sqlite_path():
    assert sqlite_path("sqlite:///rel/x.db") == "rel/x.db"
    assert sqlite_path("sqlite:////abs/x.db") == "/abs/x.db"
    with pytest.raises(ValueError):
        sqlite_path("postgres://x")


def test_insert_get_update_list(store):
    store.insert_run(_run("r1", created=1.0))
    store.insert_run(_run("r2", created=2.0, status="finished"))
    rec = store.get_run("r1")
    assert rec["spec"]["layers"][0]["units"] == 2 and rec["config"] == {"lr": 0.1}
    store.update_run("r1", status="running", progress={"step": 3})
    assert store.get_run("r1")["progress"] == {"step": 3}
    assert [r["id"] for r in store.list_runs()] == ["r2", "r1"]
    assert [r["id"] for r in store.list_runs(status="finished")] == ["r2"]
    assert [r["id"] for r in store.list_runs(limit=1, offset=1)] == ["r1"]
    assert store.get_run("nope") is None


def test_staged_writes_need_flush_and_batch(store):
    store.insert_run(_run("r1"))
    for step in range(1, 101):
        store.stage_metric("r1", "step", step, 0, {"step": step, "loss": 1.0 / step})
    store.stage_run_update("r1", progress={"step": 100})
    row = store._db.execute("SELECT progress FROM runs WHERE id='r1'").fetchone()
    assert row["progress"] in (None, "null")  # staged, not written yet
    assert store.get_run("r1")["progress"] == {"step": 100}  # reads see what is staged
    points = store.metrics("r1", "step")  # reading flushes
    assert [p["step"] for p in points] == list(range(1, 101))
    assert store.get_run("r1")["progress"] == {"step": 100}
    assert [p["step"] for p in store.metrics("r1", "step", since_step=98)] == [99, 100]
    store.delete_metrics_after("r1", 50)
    assert len(store.metrics("r1", "step")) == 50


def test_immediate_update_wins_over_older_staged(store):
    store.insert_run(_run("r1"))
    store.stage_run_update("r1", status="running")
    store.update_run("r1", status="finished")
    store.flush()
    assert store.get_run("r1")["status"] == "finished"


def test_persists_across_connections(tmp_path):
    s = RunStore(tmp_path / "runs.db")
    s.insert_run(_run("r1"))
    s.stage_metric("r1", "epoch", 10, 1, {"epoch": 1})
    s.close()
    s2 = RunStore(tmp_path / "runs.db")
    assert s2.get_run("r1")["status"] == "queued"
    assert s2.metrics("r1", "epoch") == [{"epoch": 1}]
    assert s2.ids_with_status(("queued", "running")) == ["r1"]
    s2.close()


def test_prunable_and_delete(store):
    for i in range(5):
        store.insert_run(_run(f"r{i}", status="finished", created=float(i)))
    store.insert_run(_run("active", status="running", created=0.5))
    old = store.prunable(2, ("finished",))
    assert old == ["r2", "r1", "r0"]
    store.stage_metric("r0", "step", 1, 0, {"step": 1})
    store.delete_run("r0")
    assert store.get_run("r0") is None and store.metrics("r0", "step") == []


def test_models(store):
    store.insert_model({"id": "m1", "name": "a", "created_at": 1.0, "spec": {"x": 1},
                        "total_params": 3, "source_run": "r1", "metrics": None})
    assert store.get_model("m1")["spec"] == {"x": 1}
    assert [m["id"] for m in store.list_models()] == ["m1"]
    store.delete_model("m1")
    assert store.get_model("m1") is None
