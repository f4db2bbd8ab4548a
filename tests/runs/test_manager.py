"""RunManager end to end with real worker processes on a tiny XOR model."""

import asyncio
import contextlib
import os
import signal

import numpy as np
import pytest

from playground.runs import (
    ConfigError,
    ModelImportError,
    QueueFull,
    RunManager,
    RunNotFound,
    RunStateError,
    checkpoints,
)
from playground.runs.stream import MAILBOX_SIZE

pytestmark = pytest.mark.timeout(90)


def test_run_to_finished_with_ordered_events(settings, h):
    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(epochs=4, name="xor run"))
            assert rec["status"] in ("queued", "running") and rec["name"] == "xor run"
            events = []
            async with contextlib.aclosing(mgr.subscribe(rec["id"])) as stream:
                async for ev in stream:
                    events.append(ev)
            final = await mgr.get(rec["id"])
            metrics = await mgr.metrics(rec["id"])
            epochs = await mgr.metrics(rec["id"], kind="epoch")
            few = await mgr.metrics(rec["id"], max_points=3)
            model = await mgr.get_model(rec["id"])
            best = await mgr.get_model(rec["id"], which="best")
            listed = await mgr.list(status="finished")
            return events, final, metrics, epochs, few, model, best, listed

    events, final, metrics, epochs, few, model, best, listed = h.run_async(main())
    types = [e["type"] for e in events]
    assert types[0] == "state" and events[0]["run"]["name"] == "xor run"
    assert types[-2:] == ["status", "done"] and events[-2]["status"] == "finished"
    steps = [e["step"] for e in events if e["type"] == "step"]
    assert steps and steps == sorted(steps) and steps[-1] == final["progress"]["total_steps"]
    # A viewer gets epochs at most every RATE_LIMITS["epoch"] s (latest wins), the
    # last one always; the stored history below keeps every epoch.
    seen = [e["epoch"] for e in events if e["type"] == "epoch"]
    assert seen == sorted(set(seen)) and seen[-1] == 4
    assert all("ts" in e for e in events)
    assert final["status"] == "finished" and final["final"]["steps"] == steps[-1]
    assert final["progress"]["fraction"] == 1.0 and final["finished_at"] >= final["started_at"]
    assert final["final"]["test"]["accuracy"] is not None and final["latest"]["val"] is not None
    assert final["checkpoint"]["step"] == steps[-1] and final["best_val_loss"] is not None
    assert metrics["total"] >= len(steps) - 1 and metrics["points"][-1]["step"] == steps[-1]
    assert [p["epoch"] for p in epochs["points"]] == [1, 2, 3, 4]
    assert len(few["points"]) == 3 and few["points"][-1]["step"] == steps[-1]
    x = np.array([[0.5, 0.5], [-0.5, 0.5]], np.float32)
    assert model.predict_proba(x).shape == (2, 2) and best.predict_proba(x).shape == (2, 2)
    assert [r["id"] for r in listed] == [final["id"]]


def test_bad_config_and_unknown_ids(settings, h):
    async def main():
        async with h.manager(settings) as mgr:
            bad = dict(h.SPEC, layers=[{"type": "dense"}])
            with pytest.raises(ConfigError) as e1:
                await mgr.create(h.config(spec=bad))
            with pytest.raises(ConfigError) as e2:
                await mgr.create(h.config(lr=-1.0))
            with pytest.raises(ConfigError) as e3:
                await mgr.create(h.config(dataset="mnist"))
            with pytest.raises(ConfigError) as e4:
                await mgr.create(h.config(initial_weights={"model_id": "m_nope"}))
            with pytest.raises(RunNotFound):
                await mgr.get("r_nope")
            with pytest.raises(RunNotFound):
                await mgr.pause("r_nope")
            with pytest.raises(RunNotFound):
                await mgr.subscribe("r_nope").__anext__()
            return e1.value.field, e2.value.field, e3.value.field, e4.value.field

    f1, f2, f3, f4 = h.run_async(main())
    assert f1[:3] == ("spec", "layers", 0) and f2 == ("lr",)
    assert f3 == ("spec", "input_shape") and f4 == ("initial_weights", "model_id")


def test_queue_positions_and_queue_full(tmp_path, h):
    settings = h.make_settings(tmp_path, max_runs=1, max_queue=2)

    async def main():
        async with h.manager(settings) as mgr:
            a = await mgr.create(h.config(steps=10**6))
            b = await mgr.create(h.config())
            c = await mgr.create(h.config())
            assert (b["status"], b["queue_position"]) == ("queued", 1)
            assert (c["status"], c["queue_position"]) == ("queued", 2)
            assert mgr.counts() == {"active": 1, "queued": 2}
            with pytest.raises(QueueFull):
                await mgr.create(h.config())
            with pytest.raises(RunStateError):
                await mgr.pause(b["id"])
            with pytest.raises(RunStateError):
                await mgr.get_model(c["id"])  # no weights before it ran
            stopped = await mgr.stop(b["id"])
            assert stopped["status"] == "stopped" and (await mgr.get(c["id"]))["queue_position"] == 1
            await mgr.stop(a["id"])
            done_a = await h.wait_until(mgr, a["id"], lambda r: r["status"] == "stopped")
            done_c = await h.wait_until(mgr, c["id"], lambda r: r["status"] == "finished")
            with pytest.raises(RunStateError):
                await mgr.pause(c["id"])
            return done_a, done_c

    done_a, done_c = h.run_async(main())
    assert done_a["final"]["status"] == "stopped" and done_c["final"]["steps"] > 0


def test_pause_step_resume_update_stop(settings, h):
    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(steps=10**6, optimizer="sgd", lr=0.01))
            rid = rec["id"]
            live = await h.wait_until(mgr, rid, lambda r: r["progress"]["step"] > 0)
            assert live["worker"]["blas_threads"] == 1 and live["worker"]["pid"] == mgr.worker_pid(rid)
            paused = await mgr.pause(rid)
            assert paused["status"] == "paused"
            before, previous = None, -1
            while before != previous:  # until steps in flight have arrived
                previous, before = before, (await mgr.get(rid))["progress"]["step"]
                await asyncio.sleep(0.25)
            await asyncio.sleep(0.3)
            assert (await mgr.get(rid))["progress"]["step"] == before
            await mgr.step(rid, 7)
            stepped = await h.wait_until(mgr, rid, lambda r: r["progress"]["step"] == before + 7)
            assert stepped["status"] == "paused"
            await h.wait_until(mgr, rid, lambda r: (r["checkpoint"] or {}).get("step") == before + 7)
            # The refused setting is the error's field (a key of the update), as data.
            with pytest.raises(ConfigError) as err:
                await mgr.update(rid, {"lr": -1})
            assert err.value.field == ("lr",)
            with pytest.raises(ConfigError) as err:
                await mgr.update(rid, {"no_such_setting": 1})
            assert err.value.field == ("no_such_setting",)
            updated = await mgr.update(rid, {"lr": 0.5, "name": "renamed"})
            assert updated["config"]["lr"] == 0.5 and updated["name"] == "renamed"
            seen = []
            async with contextlib.aclosing(mgr.subscribe(rid)) as stream:
                resumed = await mgr.resume(rid)
                assert resumed["status"] == "running"
                async for ev in stream:
                    if ev["type"] == "step" and ev["step"] > before + 7:
                        seen.append(ev["lr"])
                        if len(seen) >= 3:
                            break
            assert seen == [0.5, 0.5, 0.5]
            await mgr.stop(rid)
            final = await h.wait_until(mgr, rid, lambda r: r["status"] == "stopped")
            with pytest.raises(RunStateError):
                await mgr.pause(rid)
            with pytest.raises(RunStateError):
                await mgr.resume(rid)
            with pytest.raises(RunStateError):
                await mgr.update(rid, {"lr": 0.1})
            return final

    final = h.run_async(main())
    assert final["latest"]["lr"] == 0.5 and final["final"]["status"] == "stopped"


def test_killed_worker_fails_and_manager_keeps_serving(settings, h):
    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(steps=10**6))
            await h.wait_until(mgr, rec["id"], lambda r: (r["checkpoint"] or {}).get("step"))
            os.kill(mgr.worker_pid(rec["id"]), signal.SIGKILL)
            failed = await h.wait_until(mgr, rec["id"], lambda r: r["status"] == "failed")
            other = await mgr.create(h.config(epochs=1))
            ok = await h.wait_until(mgr, other["id"], lambda r: r["status"] == "finished")
            return failed, ok, mgr.counts()

    failed, ok, counts = h.run_async(main())
    assert "SIGKILL" in failed["message"] and failed["resumable"]
    assert ok["status"] == "finished" and counts == {"active": 0, "queued": 0}


def test_divergence_and_start_failure(settings, h):
    async def main():
        async with h.manager(settings) as mgr:
            spec = {"input_shape": [1], "layers": [{"type": "dense", "units": 16, "activation": "relu"},
                                                   {"type": "dense", "units": 1}], "loss": "mse"}
            rec = await mgr.create(h.config(spec=spec, dataset="polynomial", optimizer="sgd", lr=100,
                                            epochs=50))
            div = await h.wait_until(mgr, rec["id"], lambda r: r["status"] not in ("queued", "running"))
            bad = await mgr.create(h.config(dataset="upload:x", dataset_params={"path": "/nonexistent.npz"}))
            failed = await h.wait_until(mgr, bad["id"], lambda r: r["status"] not in ("queued", "running"))
            return div, failed

    div, failed = h.run_async(main())
    assert div["status"] == "diverged" and "learning rate" in div["message"]
    assert failed["status"] == "failed" and "nonexistent" in failed["message"]
    assert not failed["resumable"]


def test_shutdown_interrupts_and_resume_finishes(tmp_path, h):
    settings = h.make_settings(tmp_path, max_runs=1)

    async def first():
        mgr = RunManager(settings)
        await mgr.start()
        done = await mgr.create(h.config(epochs=1))
        await h.wait_until(mgr, done["id"], lambda r: r["status"] == "finished")
        # Long enough that the pause lands mid-run on a fast machine; pausing
        # writes the checkpoint the resume starts from.
        rec = await mgr.create(h.config(steps=20000, optimizer="sgd"))
        await h.wait_until(mgr, rec["id"], lambda r: r["status"] == "running")
        await mgr.pause(rec["id"])
        await mgr.step(rec["id"], 50)
        await h.wait_until(mgr, rec["id"], lambda r: ((r["checkpoint"] or {}).get("step") or 0) >= 50)
        queued = await mgr.create(h.config(epochs=1))
        await mgr.shutdown()
        return done["id"], rec["id"], queued["id"]

    done_id, rid, queued_id = h.run_async(first())

    async def second():
        async with h.manager(settings) as mgr:
            done = await mgr.get(done_id)
            metrics = await mgr.metrics(done_id)
            rec = await mgr.get(rid)
            ckpt = checkpoints.load_meta(checkpoints.checkpoint_dir(settings.home, rid))["step"]
            first_step = []
            async with contextlib.aclosing(mgr.subscribe(rid)) as stream:
                resumed = await mgr.resume(rid)
                async for ev in stream:
                    if ev["type"] == "step" and not first_step:
                        first_step.append(ev["step"])
            final = await mgr.get(rid)
            never_started = await mgr.get(queued_id)
            await mgr.resume(queued_id)
            restarted = await h.wait_until(mgr, queued_id, lambda r: r["status"] == "finished")
            return done, metrics, rec, ckpt, resumed, first_step, final, never_started, restarted

    done, metrics, rec, ckpt, resumed, first_step, final, never_started, restarted = h.run_async(second())
    assert never_started["status"] == "interrupted" and never_started["resumable"]
    assert restarted["final"]["steps"] == restarted["progress"]["total_steps"]
    assert done["status"] == "finished" and metrics["total"] > 0
    assert rec["status"] == "interrupted" and rec["resumable"] and ckpt > 0
    assert resumed["status"] in ("queued", "running")
    assert first_step[0] > ckpt
    assert final["status"] == "finished" and final["final"]["steps"] == 20000


def test_export_import_round_trip(settings, h):
    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(epochs=2))
            await h.wait_until(mgr, rec["id"], lambda r: r["status"] == "finished")
            data = await mgr.export(rec["id"])
            model_rec = await mgr.import_model(data, name="imported")
            imported = await mgr.get_imported_model(model_rec["id"])
            original = await mgr.get_model(rec["id"])
            listed = await mgr.list_models()
            again = await mgr.get_model_record(model_rec["id"])
            child = await mgr.create(h.config(epochs=1, initial_weights={"model_id": model_rec["id"]}))
            child_done = await h.wait_until(mgr, child["id"], lambda r: r["status"] == "finished")
            with pytest.raises(ModelImportError) as bad_zip:
                await mgr.import_model(b"not a zip")
            await mgr.delete_model(model_rec["id"])
            return model_rec, imported, original, listed, again, child_done, bad_zip.value

    model_rec, imported, original, listed, again, child_done, bad = h.run_async(main())
    assert model_rec["name"] == "imported" and model_rec["total_params"] == 42
    assert model_rec["metrics"]["test"]["accuracy"] is not None and again["id"] == model_rec["id"]
    assert [m["id"] for m in listed] == [model_rec["id"]]
    x = np.random.default_rng(0).normal(size=(5, 2)).astype(np.float32)
    np.testing.assert_allclose(imported.predict_proba(x), original.predict_proba(x))
    assert child_done["status"] == "finished" and bad.unreadable


def test_slow_subscriber_stays_bounded_and_delete(settings, h):
    async def main():
        async with h.manager(settings) as mgr:
            rec = await mgr.create(h.config(steps=10**6))
            rid = rec["id"]
            slow = mgr.subscribe(rid)
            await slow.__anext__()  # the state message; then it never reads again
            box = next(iter(mgr.hub.channel(rid).mailboxes))
            fast = []

            async def reader():
                async for ev in mgr.subscribe(rid):
                    fast.append(ev["type"])

            task = asyncio.create_task(reader())
            await h.wait_until(mgr, rid, lambda r: r["progress"]["step"] > 2000)
            size = len(box)
            await mgr.delete(rid)
            await asyncio.wait_for(task, 5)
            with pytest.raises(RunNotFound):
                await mgr.get(rid)
            await slow.aclose()
            return size, fast, checkpoints.run_dir(settings.home, rid).exists()

    size, fast, files_left = h.run_async(main())
    assert size <= MAILBOX_SIZE and fast.count("step") > 5 and "snapshot" in fast
    assert not files_left


def test_runs_kept_prunes_the_oldest_finished(tmp_path, h):
    settings = h.make_settings(tmp_path, runs_kept=2)

    async def main():
        async with h.manager(settings) as mgr:
            for i in range(3):  # three old finished runs, with files
                mgr.store.insert_run({"id": f"r_old{i}", "name": "old", "status": "finished",
                                      "created_at": 1000.0 + i, "spec": h.SPEC, "config": {}})
                checkpoints.run_dir(settings.home, f"r_old{i}").mkdir(parents=True)
            rec = await mgr.create(h.config(epochs=1))
            await h.wait_until(mgr, rec["id"], lambda r: r["status"] == "finished")
            await asyncio.sleep(0.2)  # pruning follows the final store write
            kept = [r["id"] for r in await mgr.list()]
            running = await mgr.list(status="running")
            return rec["id"], kept, running

    new_id, kept, running = h.run_async(main())
    assert kept == [new_id, "r_old2"] and running == []
    assert not checkpoints.run_dir(settings.home, "r_old0").exists()
    assert checkpoints.run_dir(settings.home, "r_old2").exists()


def test_update_of_a_queued_run_is_judged_by_the_optimizer_at_its_key(tmp_path, h):
    """A queued run has no worker: the engine's check_optimizer judges the change,
    and the error names the key of the update, as for a running run."""
    async def main():
        async with h.manager(h.make_settings(tmp_path, max_runs=1)) as mgr:
            first = await mgr.create(h.config(epochs=1, steps=100_000))
            queued = await mgr.create(h.config(optimizer="momentum"))
            assert queued["status"] == "queued"
            with pytest.raises(ConfigError) as err:
                await mgr.update(queued["id"], {"momentum": 1.5})
            assert err.value.field == ("momentum",) and "momentum" in err.value.message
            with pytest.raises(ConfigError) as err:
                await mgr.update(queued["id"], {"beta1": 0.5})  # an adam setting
            assert err.value.field == ("beta1",)
            changed = await mgr.update(queued["id"], {"momentum": 0.5, "lr": 0.2})
            assert changed["config"]["optimizer_params"] == {"momentum": 0.5} and changed["config"]["lr"] == 0.2
            for run in (queued, first):
                await mgr.delete(run["id"])

    h.run_async(main())
