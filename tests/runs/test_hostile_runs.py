"""Issue 13, hostile cases at the run manager: deleting everything at once,
failed-run messages without server paths."""

import asyncio
import time

import pytest

from playground.runs.errors import RunNotFound

pytestmark = pytest.mark.timeout(120)


def _alive(handle) -> bool:
    proc = handle.process if handle is not None else None
    return proc is not None and proc.is_alive()


def test_deleting_every_run_at_once_never_errs_and_leaves_no_worker(tmp_path, h, monkeypatch):
    # Workers and the queue full, then every run deleted twice at the same
    # moment - while some workers are still being spawned. On a loaded machine
    # a spawn takes a while: made slow here so the deletes meet it every time.
    from playground.runs.supervisor import WorkerHandle

    start = WorkerHandle.start

    def slow_start(self, *args, **kwargs):
        time.sleep(0.3)
        return start(self, *args, **kwargs)

    monkeypatch.setattr(WorkerHandle, "start", slow_start)
    settings = h.make_settings(tmp_path, max_runs=2, max_queue=4)

    async def main():
        async with h.manager(settings) as mgr:
            ids = [(await mgr.create(h.config(steps=10**6)))["id"] for _ in range(6)]
            handles = {rid: mgr.records.active[rid] for rid in ids}

            async def delete(rid, delay):
                await asyncio.sleep(delay)
                await mgr.delete(rid)

            # Staggered by a few ms: a queued run is launched when a running one
            # goes, and its delete arrives while its worker is being spawned.
            results = await asyncio.gather(*[delete(rid, 0.01 * i) for i, rid in enumerate(ids + ids)],
                                           return_exceptions=True)
            bad = [r for r in results if r is not None and not isinstance(r, RunNotFound)]
            assert not bad, bad
            assert sum(r is None for r in results) >= 6
            assert mgr.counts() == {"active": 0, "queued": 0}
            assert await mgr.list() == []
            await asyncio.sleep(1.0)  # a worker whose spawn raced the kill would be training by now
            alive = [rid for rid, a in handles.items() if _alive(a.handle)]
            assert alive == [], alive

    asyncio.run(main())


def test_a_failed_run_message_shows_no_server_path(tmp_path, h):
    settings = h.make_settings(tmp_path)
    missing = tmp_path / "nowhere" / "secret" / "x.npz"

    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(dataset="x.npz", dataset_params={"path": str(missing)}))
            return await h.wait_until(mgr, rec["id"], lambda r: r["status"] == "failed")

    rec = asyncio.run(main())
    assert "x.npz" in rec["message"] and str(tmp_path) not in rec["message"], rec["message"]
    assert "/nowhere/" not in rec["message"]
