"""Helpers for run-manager tests: a tiny XOR model, settings, polling."""

import asyncio
import contextlib
import time

import pytest

SPEC = {"input_shape": [2],
        "layers": [{"type": "dense", "units": 8, "activation": "tanh"}, {"type": "dense", "units": 2}],
        "loss": "softmax_cross_entropy"}


def config(**kw):
    base = {"spec": SPEC, "dataset": "xor", "dataset_params": {"n_samples": 200},
            "epochs": 3, "batch_size": 16, "optimizer": "adam", "lr": 0.05, "seed": 1}
    base.update(kw)
    return base


def make_settings(home, **kw):
    """The server's own Settings (api/settings.py), as PLAYGROUND_* would set them:
    a name it does not declare is a mistake here, not a silent default."""
    from playground.api.settings import Settings

    values = dict(home=home, max_runs=2, max_queue=4, runs_kept=50, checkpoint_interval_s=0.2,
                  snapshot_interval_s=0.1)
    values.update(kw)
    unknown = set(values) - set(Settings.model_fields)
    assert not unknown, f"Settings has no {sorted(unknown)}"
    return Settings(**values)


async def wait_until(mgr, run_id, pred, timeout=30.0):
    """Poll the run record until pred(record) holds; return the record."""
    deadline = time.monotonic() + timeout
    while True:
        rec = await mgr.get(run_id)
        if pred(rec):
            return rec
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting; last record: status={rec['status']} "
                                 f"progress={rec['progress']} message={rec['message']}")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def manager(settings):
    """A started RunManager over settings, shut down (workers joined) on the way out."""
    from playground.runs import RunManager

    mgr = RunManager(settings)
    await mgr.start()
    try:
        yield mgr
    finally:
        await mgr.shutdown()


def run_async(coro, timeout=60):
    return asyncio.run(asyncio.wait_for(coro, timeout))


@pytest.fixture
def settings(tmp_path):
    return make_settings(tmp_path / "home")


@pytest.fixture
def h():
    """This module's helpers (test files cannot import conftest by name)."""
    import sys

    return sys.modules[__name__]
