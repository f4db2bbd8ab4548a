"""Concurrent creates cannot slip past the queue limit: the capacity check
counts places reserved by creates whose store write is still in flight."""

import asyncio

import pytest

from playground.runs import QueueFull

pytestmark = pytest.mark.timeout(60)


def test_concurrent_creates_respect_max_runs_plus_max_queue(tmp_path, h):
    settings = h.make_settings(tmp_path, max_runs=1, max_queue=2)

    async def main():
        async with h.manager(settings) as mgr:
            results = await asyncio.gather(*[mgr.create(h.config(steps=10**6)) for _ in range(12)],
                                           return_exceptions=True)
            made = [r for r in results if isinstance(r, dict)]
            refused = [r for r in results if isinstance(r, QueueFull)]
            assert len(made) == 3 and len(refused) == 9, results
            assert mgr.counts() == {"active": 1, "queued": 2}
            for rec in made:
                await mgr.delete(rec["id"])

    asyncio.run(main())
