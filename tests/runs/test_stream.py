"""Mailbox / Hub: ordering, coalescing, bounded size, closing."""

import asyncio

from playground.runs.stream import MAILBOX_SIZE, Hub, Mailbox, subscription


def _drain(box):
    out = []
    while len(box):
        out.append(box._items.popleft())
    return out


def test_steps_coalesce_but_not_across_ordered_events():
    box = Mailbox()
    for i in range(10):
        box.put({"type": "step", "step": i})
    box.put({"type": "epoch", "epoch": 1})
    box.put({"type": "step", "step": 10})
    box.put({"type": "snapshot", "step": 10})
    box.put({"type": "step", "step": 11})
    box.put({"type": "snapshot", "step": 11})
    got = [(e["type"], e.get("step", e.get("epoch"))) for e in _drain(box)]
    assert got == [("step", 9), ("epoch", 1), ("step", 11), ("snapshot", 11)]


def test_mailbox_is_bounded():
    box = Mailbox()
    for i in range(10 * MAILBOX_SIZE):
        box.put({"type": "epoch", "epoch": i})
        box.put({"type": "step", "step": i})
    assert len(box) <= MAILBOX_SIZE
    items = _drain(box)
    assert items[-1] == {"type": "step", "step": 10 * MAILBOX_SIZE - 1}
    assert box.dropped > 0


def test_subscription_state_first_then_events_until_close():
    async def main():
        hub = Hub()
        counts = []
        hub._on_watchers = lambda rid, n: counts.append(n)

        async def first():
            return {"type": "state", "run": {"id": "r1"}}

        got = []

        async def reader():
            async for ev in subscription(hub, "r1", first, lambda: False):
                got.append(ev["type"])
                await asyncio.sleep(0.01)  # a slow reader

        task = asyncio.create_task(reader())
        await asyncio.sleep(0.005)
        for i in range(200):
            hub.publish("r1", {"type": "step", "step": i})
        hub.publish("r1", {"type": "status", "status": "finished"})
        hub.close("r1")
        await asyncio.wait_for(task, 2)
        return got, counts

    got, counts = asyncio.run(main())
    assert got[0] == "state" and got[-1] == "status"
    assert got.count("step") <= 2
    assert counts[0] == 1 and counts[-1] == 0


def test_subscription_of_finished_run_ends_after_state():
    async def main():
        hub = Hub()

        async def first():
            return {"type": "state"}

        return [ev async for ev in subscription(hub, "r1", first, lambda: True)]

    assert asyncio.run(main()) == [{"type": "state"}]


def test_new_subscriber_gets_latest_step_and_snapshot():
    hub = Hub()
    hub.channel("r1")
    hub.publish("r1", {"type": "step", "step": 5})
    hub.publish("r1", {"type": "snapshot", "step": 5})
    box = hub.channel("r1").add()
    assert [e["type"] for e in _drain(box)] == ["step", "snapshot"]
