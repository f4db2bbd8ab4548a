"""Issue 13: a 2-D run at batch 16 ends an epoch every ~20 steps and sent
each viewer ~700 messages/s. Per viewer, step and epoch events are held to
RATE_LIMITS (latest wins); the final epoch always arrives, and nothing jumps
over a status."""

import asyncio

from playground.runs.stream import RATE_LIMITS, Mailbox


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def _drain(box):
    out = []
    box._release()
    while len(box):
        out.append(box._items.popleft())
        box._release()
    return out


def test_epochs_faster_than_the_limit_wait_and_the_latest_wins():
    clock = Clock()
    box = Mailbox(limits=RATE_LIMITS, clock=clock)
    for epoch in range(1, 101):
        box.put({"type": "epoch", "epoch": epoch})
    assert [e["epoch"] for e in _drain(box)] == [1]  # the rest wait for the interval
    clock.now += 2 * RATE_LIMITS["epoch"]
    assert [e["epoch"] for e in _drain(box)] == [100]
    assert box.dropped == 98


def test_a_status_releases_what_is_held_first_and_close_delivers_the_final_epoch():
    clock = Clock()
    box = Mailbox(limits=RATE_LIMITS, clock=clock)
    for i in range(1, 6):
        box.put({"type": "step", "step": i})
        box.put({"type": "epoch", "epoch": i})
    box.put({"type": "status", "status": "finished"})
    got = [(e["type"], e.get("step", e.get("epoch", e.get("status")))) for e in _drain(box)]
    assert got == [("step", 1), ("epoch", 1), ("step", 5), ("epoch", 5), ("status", "finished")]
    box.put({"type": "epoch", "epoch": 6})
    box.put({"type": "epoch", "epoch": 7})
    box.close()
    assert [e["epoch"] for e in _drain(box)] == [7]  # 6 was replaced; the last one always arrives


def test_a_waiting_reader_gets_the_held_event_when_it_is_due():
    async def main():
        box = Mailbox(limits=RATE_LIMITS)
        box.put({"type": "epoch", "epoch": 1})
        box.put({"type": "epoch", "epoch": 2})
        first = await box.get()
        second = await asyncio.wait_for(box.get(), 1.0)
        return first["epoch"], second["epoch"]

    assert asyncio.run(main()) == (1, 2)


def test_a_fast_2d_run_stays_within_the_rates_per_viewer(tmp_path, h):
    # The case: circle, batch 16 (~20 steps an epoch), followed live.
    import contextlib
    import time


    settings = h.make_settings(tmp_path)
    seconds = 3.0

    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(dataset="circle", dataset_params={"n_samples": 400},
                                            batch_size=16, epochs=None, steps=10**6))
            await h.wait_until(mgr, rec["id"], lambda r: r["status"] == "running")
            counts = {}
            async with contextlib.aclosing(mgr.subscribe(rec["id"])) as stream:
                start = time.monotonic()
                async for ev in stream:
                    counts[ev["type"]] = counts.get(ev["type"], 0) + 1
                    if time.monotonic() - start > seconds:
                        break
            progress = (await mgr.get(rec["id"]))["progress"]
            await mgr.delete(rec["id"])
            return counts, progress

    counts, progress = asyncio.run(main())
    assert progress["steps_per_epoch"] <= 25
    assert counts.get("epoch", 0) <= seconds / RATE_LIMITS["epoch"] + 2, counts
    assert counts.get("step", 0) <= seconds / RATE_LIMITS["step"] + 2, counts
    assert counts.get("epoch", 0) >= 5, counts  # throttled, not silenced
