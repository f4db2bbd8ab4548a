"""Stored snapshot history: summaries, the keeper's throttle and cap, thinning in
the store, and a real unwatched run that ends up with snapshots on record."""

import pytest

from playground.runs.snapshots import SnapshotKeeper, summarize
from playground.runs.store import RunStore

pytestmark = pytest.mark.timeout(60)

EVENT = {"type": "snapshot", "step": 12, "ts": 100.0, "layers": [
    {"index": 0, "type": "dense", "grad_norm": 0.123456789, "dead_fraction": None,
     "weight": {"mean": 0.1, "std": 0.2, "min": -1.0, "max": 1.0, "norm": 3.0,
                "hist": {"counts": [1, 2, 3], "edges": [-1.0, -0.333333333, 0.333333333, 1.0]}},
     "bias": {"mean": 0.0, "hist": {"counts": [1], "edges": [0, 1]}},
     "grad": {"mean": 0.0}, "filters": [[[0.5]]]},
    {"index": 1, "type": "relu", "grad_norm": None, "dead_fraction": 0.25,
     "weight": None, "bias": None, "grad": None}]}


def test_summary_keeps_what_the_charts_read():
    s = summarize(EVENT)
    assert s["step"] == 12 and s["ts"] == 100.0
    dense, relu = s["layers"]
    assert set(dense) == {"index", "type", "grad_norm", "dead_fraction", "weight"}
    assert dense["grad_norm"] == pytest.approx(0.12346)
    assert dense["weight"]["hist"]["counts"] == [1, 2, 3]
    assert dense["weight"]["hist"]["edges"][1] == pytest.approx(-0.33333)
    assert relu["dead_fraction"] == 0.25 and relu["weight"] is None


def test_keeper_throttles_and_keeps_the_final_one():
    k = SnapshotKeeper(cap=10, gap=1.0)
    assert k.wants(0.0, 1)
    assert not k.wants(0.5, 2)          # too soon
    assert k.wants(1.2, 3)
    assert k.wants(1.3, 4, final=True)  # the last one of a run always
    assert not k.wants(5.0, 4)          # same step again
    assert k.count == 3


def test_keeper_cap_thins_and_doubles_the_gap(tmp_path):
    store = RunStore(tmp_path / "db.sqlite")
    k = SnapshotKeeper(cap=8, gap=1.0)
    t = 0.0
    for step in range(1, 40):
        t += 1.0
        if k.wants(t, step):
            store.stage_metric("r1", "snapshot", step, None, {"step": step})
        if k.thin_due():
            k.thinned(store.thin_metrics("r1", "snapshot"))
    points = store.metrics("r1", "snapshot")
    assert len(points) <= 8 and k.gap >= 4.0
    steps = [p["step"] for p in points]
    # The start of the run stays, the rest is spread over the whole run.
    assert steps == sorted(steps) and steps[0] == 1 and steps[-1] >= 39 - k.gap
    assert max(b - a for a, b in zip(steps, steps[1:])) <= k.gap
    store.close()


def test_thin_keeps_first_and_last(tmp_path):
    store = RunStore(tmp_path / "db.sqlite")
    for step in range(6):
        store.stage_metric("r1", "snapshot", step, None, {"step": step})
    store.stage_metric("r1", "step", 3, 0, {"step": 3})
    assert store.thin_metrics("r1", "snapshot") == 4
    assert [p["step"] for p in store.metrics("r1", "snapshot")] == [0, 2, 4, 5]
    assert len(store.metrics("r1", "step")) == 1
    store.close()


def test_unwatched_run_stores_snapshots(settings, h):
    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(epochs=2))
            await h.wait_until(mgr, rec["id"], lambda r: r["status"] == "finished")
            return await mgr.metrics(rec["id"], kind="snapshot"), await mgr.get(rec["id"])

    page, final = h.run_async(main())
    points = page["points"]
    assert page["kind"] == "snapshot" and len(points) >= 2  # the first and the last at least
    assert points[-1]["step"] == final["progress"]["step"]
    layer = points[-1]["layers"][0]
    assert layer["index"] == 0 and layer["grad_norm"] > 0
    assert len(layer["weight"]["hist"]["edges"]) == len(layer["weight"]["hist"]["counts"]) + 1
    assert "filters" not in layer and "bias" not in layer
