"""Slow motion and neuron views through the run manager with real workers: a run
capped at a few steps per second holds about that rate (and a PATCH-style speed
change takes effect), a fast run keeps snapshots spread by step count, and a
watched 2-D run's snapshots carry each hidden unit's picture."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

pytestmark = pytest.mark.timeout(90)


def test_speed_limit_holds_and_changes(settings, h):
    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(steps=10_000, epochs=1, steps_per_second=8))
            assert rec["config"]["steps_per_second"] == 8
            rec = await h.wait_until(mgr, rec["id"], lambda r: (r["progress"] or {}).get("step", 0) >= 2)
            s0, t0 = rec["progress"]["step"], time.monotonic()
            await asyncio.sleep(2.0)
            s1 = (await mgr.get(rec["id"]))["progress"]["step"]
            rate = (s1 - s0) / (time.monotonic() - t0)
            changed = await mgr.set_speed(rec["id"], None)
            assert changed["config"]["steps_per_second"] is None
            await asyncio.sleep(0.5)
            s2 = (await mgr.get(rec["id"]))["progress"]["step"]
            await mgr.stop(rec["id"])
            return rate, s2 - s1

    rate, after = h.run_async(main())
    assert 5 <= rate <= 10, rate  # about 8 steps per second
    assert after > 40  # full speed again


def test_fast_run_keeps_snapshots_by_step_count(settings, h):
    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(steps=600, epochs=1))
            await h.wait_until(mgr, rec["id"], lambda r: r["status"] == "finished")
            return await mgr.metrics(rec["id"], kind="snapshot", limit=1000)

    page = h.run_async(main())
    steps = [p["step"] for p in page["points"]]
    assert len(steps) >= 30, steps  # spread over the run, not two points joined by a line
    assert max(b - a for a, b in zip(steps, steps[1:])) <= 40


def test_watched_snapshots_carry_unit_views(settings, h):
    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(steps=2000, epochs=1, steps_per_second=5))
            found = None
            async with contextlib.aclosing(mgr.subscribe(rec["id"])) as stream:
                async for ev in stream:
                    if ev.get("type") == "snapshot" and ev.get("units"):
                        found = ev
                        break
            await mgr.stop(rec["id"])
            return found

    ev = h.run_async(main())
    units = ev["units"]
    assert units["kind"] == "2d" and units["resolution"] == 24
    layer = units["layers"][0]
    assert layer["activation"] == "tanh" and layer["total"] == 8
    assert len(layer["units"][0]["values"]) == 24 and len(layer["units"][0]["weights"]) == 2
    assert ev["decision"]["resolution"] == 40


def test_a_watched_fast_run_streams_snapshots_by_time_and_stores_the_rest(settings, h):
    # The ~60 snapshots a run keeps by step count are for the store: streamed too,
    # a fast run sent each viewer 15 snapshots/s (5.5 KiB each for an MNIST MLP),
    # and each came with a duplicate one step later.
    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(steps=6000, epochs=1))
            seen, t0 = [], time.monotonic()
            async with contextlib.aclosing(mgr.subscribe(rec["id"])) as stream:
                async for ev in stream:
                    if ev.get("type") == "snapshot":
                        seen.append(ev)
                    if ev.get("type") == "done":
                        break
            seconds = time.monotonic() - t0
            return seen, seconds, await mgr.metrics(rec["id"], kind="snapshot", limit=1000)

    seen, seconds, page = h.run_async(main())
    steps = [ev["step"] for ev in seen]
    assert not any(ev.get("stream") is False for ev in seen)
    by_time = seconds / settings.snapshot_interval_s   # (0.1 s in these tests; 0.5 s served)
    assert len(seen) <= 1.5 * by_time + 3, (len(seen), seconds, steps)  # by time, the first and the final
    assert not any(b - a == 1 for a, b in zip(steps[1:], steps[2:])), steps  # (the first two may be 1, 2)
    assert len(page["points"]) >= 30  # the store still keeps them spread over the run
