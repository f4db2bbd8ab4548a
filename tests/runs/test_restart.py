"""A server killed mid-run (SIGKILL, no shutdown): the next manager on the same
home finds finished runs intact and the running one "interrupted", and resumes it
from its checkpoint to the end."""

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from playground.runs import checkpoints

pytestmark = pytest.mark.timeout(90)

SERVER = textwrap.dedent("""
    import asyncio, sys, time
    from pathlib import Path
    from playground.api.settings import Settings
    from playground.runs import RunManager

    SPEC = {spec!r}

    async def main():
        home = Path(sys.argv[1])
        mgr = RunManager(Settings(home=home, max_runs=2, max_queue=2, checkpoint_interval_s=0.2))
        await mgr.start()
        cfg = {{"spec": SPEC, "dataset": "xor", "dataset_params": {{"n_samples": 200}},
               "batch_size": 16, "optimizer": "sgd", "lr": 0.05}}
        done = await mgr.create(dict(cfg, epochs=1))
        while (await mgr.get(done["id"]))["status"] != "finished":
            await asyncio.sleep(0.02)
        long = await mgr.create(dict(cfg, steps=5000))
        while not ((await mgr.get(long["id"]))["checkpoint"] or {{}}).get("step"):
            await asyncio.sleep(0.02)
        await asyncio.to_thread(mgr.store.flush)  # as the flusher would, while the run trains on
        print(done["id"], long["id"], mgr.worker_pid(long["id"]), flush=True)
        await asyncio.sleep(60)

    if __name__ == "__main__":
        asyncio.run(main())
""")


def _gone(pid: int) -> bool:
    """Exited (a zombie counts: nobody may reap it in a container)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
    except FileNotFoundError:
        return True
    return any(line.startswith("State:") and line.split()[1] == "Z" for line in status)


def test_killed_server_then_resume(tmp_path, h):
    home = tmp_path / "home"
    script = tmp_path / "server.py"
    script.write_text(SERVER.format(spec=h.SPEC))
    proc = subprocess.Popen([sys.executable, str(script), str(home)], stdout=subprocess.PIPE, text=True)
    try:
        done_id, run_id, worker_pid = proc.stdout.readline().split()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # The orphaned worker notices its manager is gone and stops on its own.
    deadline = time.monotonic() + 10
    while not _gone(int(worker_pid)):
        assert time.monotonic() < deadline, "orphaned worker kept running"
        time.sleep(0.05)
    settings = h.make_settings(home)

    async def main():
        async with h.manager(settings) as mgr:
            done = await mgr.get(done_id)
            metrics = await mgr.metrics(done_id, kind="epoch")
            model = await mgr.get_model(done_id)
            rec = await mgr.get(run_id)
            ckpt = checkpoints.load_meta(checkpoints.checkpoint_dir(home, run_id))["step"]
            steps = []
            async with contextlib.aclosing(mgr.subscribe(run_id)) as stream:
                await mgr.resume(run_id)
                async for ev in stream:
                    if ev["type"] == "step":
                        steps.append(ev["step"])
            return done, metrics, model, rec, ckpt, steps, await mgr.get(run_id)

    done, metrics, model, rec, ckpt, steps, final = h.run_async(main())
    assert done["status"] == "finished" and done["final"]["test"] is not None
    assert [p["epoch"] for p in metrics["points"]] == [1] and model is not None
    assert rec["status"] == "interrupted" and "running" in rec["message"] and rec["resumable"]
    assert 0 < ckpt < 5000 and steps[0] > ckpt
    assert final["status"] == "finished" and final["final"]["steps"] == 5000
    assert os.path.isdir(checkpoints.run_dir(home, run_id))
