"""Issue 13: a full disk. Store writes that fail are kept and retried, never
dropped; a disk that stays full fails the training runs with the reason; a
worker that cannot write its checkpoint ends "failed", not "running" forever,
and leaves no half-written checkpoint."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import time

import pytest

from playground.runs.store import RunStore

pytestmark = pytest.mark.timeout(120)


class FullDisk:
    """Stands in for the store's sqlite connection: reads pass, writes fail."""

    def __init__(self, db):
        self.db = db

    def execute(self, sql, *args):
        if sql.split()[0] in ("INSERT", "UPDATE", "DELETE"):
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)

    def executemany(self, sql, *args):
        raise sqlite3.OperationalError("database or disk is full")


def _record(run_id):
    return {"id": run_id, "name": run_id, "status": "running", "message": "", "created_at": time.time(),
            "spec": {}, "dataset": "xor", "dataset_params": {}, "config": {}, "progress": None}


def test_a_failed_flush_keeps_its_points_and_the_next_one_writes_them(tmp_path):
    store = RunStore(tmp_path / "runs.db")
    try:
        store.insert_run(_record("r_0000000001"))
        db, store._db = store._db, FullDisk(store._db)
        store.stage_metric("r_0000000001", "step", 1, 0, {"step": 1, "loss": 0.5})
        store.stage_run_update("r_0000000001", status="failed", message="why")
        with pytest.raises(sqlite3.OperationalError):
            store.flush()
        assert store.staged_rows() == 1
        # Reads agree with what was staged while the disk refuses it.
        assert store.get_run("r_0000000001")["status"] == "failed"
        assert store.metrics("r_0000000001", "step") == [{"step": 1, "loss": 0.5}]
        store._db = db
        store.flush()
        assert store.staged_rows() == 0
        assert [dict(r)["status"] for r in db.execute("SELECT status FROM runs")] == ["failed"]
        assert store.metrics("r_0000000001", "step") == [{"step": 1, "loss": 0.5}]
    finally:
        store.close()


def test_a_disk_that_stays_full_fails_the_training_runs(tmp_path, h):
    settings = h.make_settings(tmp_path, store_failure_grace_s=0.5)

    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(steps=10**6))
            await h.wait_until(mgr, rec["id"], lambda r: r["status"] == "running")
            db, mgr.store._db = mgr.store._db, FullDisk(mgr.store._db)
            failed = await h.wait_until(mgr, rec["id"], lambda r: r["status"] == "failed")
            listed = await mgr.list()
            mgr.store._db = db  # space is freed: what was staged gets written
            await asyncio.sleep(1.0)
            row = db.execute("SELECT status, message FROM runs WHERE id=?", (rec["id"],)).fetchone()
            return failed, listed, dict(row), mgr.store.staged_rows()

    failed, listed, row, staged = asyncio.run(main())
    assert "cannot save this run's metrics" in failed["message"] and "disk is full" in failed["message"]
    assert listed[0]["status"] == "failed"
    assert row["status"] == "failed" and row["message"] == failed["message"]
    assert staged == 0


@pytest.fixture
def tiny_home(tmp_path):
    home = tmp_path / "tiny"
    home.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(home)],
                              capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        done = None
    if done is None or done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield home
    finally:
        subprocess.run(["umount", "-l", str(home)], capture_output=True, timeout=10)


def test_a_worker_that_cannot_write_its_checkpoint_ends_failed(tiny_home, tmp_path, h):
    # ~265k parameters: weights plus Adam's state are ~3 MB, the filesystem 1 MB.
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 512, "activation": "tanh"},
                                           {"type": "dense", "units": 512, "activation": "tanh"},
                                           {"type": "dense", "units": 2}]}
    settings = h.make_settings(tiny_home, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")

    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(spec=spec, steps=10**6))
            return await h.wait_until(mgr, rec["id"], lambda r: r["status"] not in ("queued", "running"))

    rec = asyncio.run(main())
    assert rec["status"] == "failed" and "No space left on device" in rec["message"], rec
    assert str(tiny_home) not in rec["message"]
    leftovers = [p.name for p in (tiny_home / "runs" / rec["id"] / "checkpoints").glob("*")]
    assert leftovers == [], leftovers


def test_a_paused_run_whose_checkpoint_meets_a_full_disk_ends_failed(tiny_home, tmp_path, h):
    # The checkpoint of a paused run after step(n) is written by the worker's
    # ticker thread: its failure used to end that thread and leave the run
    # "paused" for ever.
    settings = h.make_settings(tiny_home, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                               checkpoint_interval_s=1000.0)

    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(steps=10**6))
            rid = rec["id"]
            await h.wait_until(mgr, rid, lambda r: r["status"] == "running" and (r["progress"] or {}).get("step"))
            await mgr.pause(rid)
            await h.wait_until(mgr, rid, lambda r: r["checkpoint"] is not None)
            filler = tiny_home / "filler"
            with open(filler, "wb") as f:  # take every byte left
                try:
                    while True:
                        f.write(b"\0" * 65536)
                        f.flush()
                except OSError:
                    pass
            await mgr.step(rid, 5)
            return await h.wait_until(mgr, rid, lambda r: r["status"] in ("failed", "finished", "stopped"),
                                      timeout=20)

    rec = asyncio.run(main())
    assert rec["status"] == "failed" and "No space left on device" in rec["message"], rec
    assert [p.name for p in (tiny_home / "runs" / rec["id"] / "checkpoints").glob("*.tmp-*")] == []
