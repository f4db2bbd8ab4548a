"""Issue 13: ten parallel evaluations took the server to 3.9 GB, each loading
its own MNIST copy. The dataset cache loads one dataset at a time (one load
per dataset however many ask) and keeps a bounded number of bytes; heavy
inspections take a slot (settings.max_inspections), a few wait, the rest get
429 with Retry-After."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np
import pytest

from api_helpers import start_run, wait_for
from playground.api import datasets_cache
from playground.api.inspection_gate import InspectionBusy, InspectionGate


@pytest.fixture
def fake_loads(monkeypatch):
    seen = {"loads": 0, "now": 0, "most": 0}
    lock = threading.Lock()

    def load(name, data_dir=None, **kwargs):
        with lock:
            seen["loads"] += 1
            seen["now"] += 1
            seen["most"] = max(seen["most"], seen["now"])
        time.sleep(0.1)
        with lock:
            seen["now"] -= 1
        return SimpleNamespace(x_train=np.zeros(25 * 2**20, np.uint8), x_test=None)

    monkeypatch.setattr(datasets_cache, "load_dataset", load)
    return seen


def _record(seed):
    return {"dataset": "mnist", "dataset_params": {}, "config": {"seed": seed}}


def test_one_load_per_dataset_however_many_ask(fake_loads):
    cache = datasets_cache.DatasetCache()
    with ThreadPoolExecutor(10) as pool:
        got = list(pool.map(lambda _: cache.for_run(_record(1)), range(10)))
    assert fake_loads["loads"] == 1 and all(g is got[0] for g in got)


def test_loads_of_different_datasets_take_turns_and_the_cache_is_bounded_in_bytes(fake_loads):
    cache = datasets_cache.DatasetCache(size=10, max_bytes=60 * 2**20)
    with ThreadPoolExecutor(10) as pool:
        list(pool.map(lambda seed: cache.for_run(_record(seed)), range(10)))
    assert fake_loads["loads"] == 10 and fake_loads["most"] == 1
    assert len(cache._items) == 2  # 25 MB each, 60 MB allowed


def test_the_gate_runs_a_few_queues_a_few_and_refuses_the_rest():
    async def main():
        gate = InspectionGate(slots=2, queue=2)
        release = asyncio.Event()

        async def job():
            async with gate.slot():
                await release.wait()
                return "done"

        tasks = [asyncio.create_task(job()) for _ in range(6)]
        await asyncio.sleep(0.05)
        state = (gate.running, gate.waiting)
        release.set()
        return state, await asyncio.gather(*tasks, return_exceptions=True)

    state, results = asyncio.run(main())
    assert state == (2, 2)
    assert results.count("done") == 4
    busy = [r for r in results if isinstance(r, InspectionBusy)]
    assert len(busy) == 2 and busy[0].status_code == 429 and busy[0].headers == {"Retry-After": "2"}


@pytest.mark.parametrize("view", ["decision-grid?resolution=10", "units"])
def test_inspections_beyond_the_gate_are_429_with_retry_after(client, monkeypatch, view):
    # (unit views too: through five 1,000-unit layers one took 1.4 s of a core)
    run = wait_for(client, start_run(client)["id"])
    # (not monkeypatch.setattr: pytest 9 restores an instance's __dict__ entry, and
    # Starlette's State keeps its attributes elsewhere, so the undo would delete the gate)
    monkeypatch.setitem(vars(client.app.state)["_state"], "inspections", InspectionGate(slots=1, queue=1))
    cache = client.app.state.datasets
    plain = cache.for_run

    def slow(record):
        time.sleep(0.5)
        return plain(record)

    monkeypatch.setattr(cache, "for_run", slow)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: client.get(f"/api/runs/{run['id']}/{view}"), range(4)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 200, 429, 429], codes
    refused = next(r for r in answers if r.status_code == 429)
    assert refused.headers["retry-after"] == "2" and "max_inspections" in refused.json()["detail"]
