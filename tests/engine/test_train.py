"""Tests for playground.engine.train (Trainer, TrainConfig) on tiny data."""

import json
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from playground.engine.data import load_dataset
from playground.engine.model import build_model
from playground.engine.train import TrainConfig, Trainer

MLP = {"input_shape": [2],
       "layers": [{"type": "dense", "units": 16}, {"type": "relu"},
                  {"type": "dense", "units": 8, "activation": "relu"},
                  {"type": "dense", "units": 2}],
       "loss": "softmax_cross_entropy"}
WAIT = 10  # seconds; generous for a loaded 2-core machine, never reached when things work


def circle(val_split=0.2, seed=0):
    return load_dataset("circle", seed=seed, val_split=val_split, noise=0.1, n_samples=200)


def weights(model):
    return model.state_dict()


def assert_same_weights(a, b):
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k], err_msg=k)


class Recorder:
    """Collects events; lets a test wait for one that matches."""

    def __init__(self, hook=None):
        self.events = []
        self.cond = threading.Condition()
        self.hook = hook

    def __call__(self, event):
        if self.hook:
            self.hook(event)
        with self.cond:
            self.events.append(event)
            self.cond.notify_all()

    def wait_for(self, pred, timeout=WAIT):
        with self.cond:
            assert self.cond.wait_for(lambda: any(pred(e) for e in self.events), timeout), \
                [e["type"] for e in self.events][-20:]

    def of(self, kind):
        return [e for e in self.events if e["type"] == kind]


def test_events_order_and_content():
    ds = circle()
    rec = Recorder()
    cfg = TrainConfig(epochs=2, batch_size=32, optimizer="adam", lr=0.01, seed=1)
    final = Trainer(build_model(MLP, seed=1), ds, cfg, on_event=rec).run()
    types = [e["type"] for e in rec.events]
    spe = -(-len(ds.x_train) // 32)
    assert types[0] == "status" and rec.events[0]["status"] == "running"
    assert types[1:spe + 1] == ["step"] * spe and types[spe + 1] == "epoch"
    assert types[-3:] == ["eval", "status", "done"]
    steps = rec.of("step")
    assert [e["step"] for e in steps] == list(range(1, 2 * spe + 1))
    assert set(steps[0]) == {"type", "step", "epoch", "loss", "accuracy", "lr"}
    assert steps[0]["epoch"] == 0 and steps[-1]["epoch"] == 1 and steps[0]["lr"] == 0.01
    epochs = rec.of("epoch")
    assert [(e["epoch"], e["step"]) for e in epochs] == [(1, spe), (2, 2 * spe)]
    assert 0 <= epochs[0]["train"]["accuracy"] <= 1 and epochs[0]["val"]["loss"] > 0
    test = rec.of("eval")[-1]
    assert test["split"] == "test" and len(test["confusion"]) == 2
    assert sum(map(sum, test["confusion"])) == len(ds.x_test)
    assert len(test["per_class_accuracy"]) == 2 and len(test["misclassified"]) <= 64
    assert all(test["confusion"][ds.y_test[i]][ds.y_test[i]] < len(ds.x_test) for i in test["misclassified"])
    assert rec.events[-2] == {"type": "status", "status": "finished", "message": ""}
    assert final["status"] == "finished" and final["steps"] == 2 * spe and final["epochs"] == 2
    assert final["test"]["accuracy"] == test["accuracy"] and final["val"] == epochs[-1]["val"]
    assert final["seconds"] > 0 and rec.events[-1] == {"type": "done", **final}
    json.dumps(rec.events, allow_nan=False)


def test_steps_mode_crosses_epochs_and_log_every():
    ds = circle()
    rec = Recorder()
    cfg = TrainConfig(steps=12, batch_size=64, log_every=4)  # 160 samples -> 3 steps per epoch
    final = Trainer(build_model(MLP, seed=0), ds, cfg, on_event=rec).run()
    assert final["steps"] == 12 and final["epochs"] == 4
    assert [e["step"] for e in rec.of("step")] == [4, 8, 12]
    assert [e["epoch"] for e in rec.of("epoch")] == [1, 2, 3, 4]


def run_in_thread(trainer):
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("final", trainer.run()), daemon=True)
    t.start()
    return t, out


def test_pause_step_resume_stop_from_another_thread():
    rec = Recorder()
    tr = Trainer(build_model(MLP, seed=0), circle(), TrainConfig(steps=10**9, batch_size=8), on_event=rec)
    tr.pause()  # before run(): the run starts paused
    t, out = run_in_thread(tr)
    rec.wait_for(lambda e: e.get("status") == "paused")
    assert tr.status == "paused" and not rec.of("step")
    tr.step(3)
    rec.wait_for(lambda e: e.get("step") == 3)
    t.join(0.2)
    assert len(rec.of("step")) == 3 and tr.status == "paused"  # stepped, then paused again
    tr.resume()
    rec.wait_for(lambda e: e.get("step", 0) > 50)
    assert tr.status == "running"
    tr.pause()
    rec.wait_for(lambda e: e.get("status") == "paused" and e is not rec.events[1])
    n = tr.step_count
    t.join(0.1)
    assert tr.step_count == n  # really paused
    tr.stop()
    t.join(WAIT)
    assert not t.is_alive() and out["final"]["status"] == "stopped" and out["final"]["steps"] == n
    statuses = [e["status"] for e in rec.of("status")]
    assert statuses == ["running", "paused", "running", "paused", "stopped"]
    assert rec.of("eval")[-1]["split"] == "test"  # a stopped run is still evaluated


def test_step_while_running_pauses_after_n():
    rec = Recorder(hook=lambda e: tr.step(2) if e.get("step") == 5 else None)
    tr = Trainer(build_model(MLP, seed=0), circle(), TrainConfig(steps=10**9, batch_size=8), on_event=rec)
    t, _ = run_in_thread(tr)
    rec.wait_for(lambda e: e.get("status") == "paused")
    assert tr.step_count == 7
    tr.stop()
    t.join(WAIT)
    assert not t.is_alive()


def test_lr_change_takes_effect_at_next_step():
    ds = circle()
    cfg = TrainConfig(steps=100, batch_size=16, optimizer="sgd", lr=0.1, shuffle=False)
    recs, trainers, threads = [], [], []
    for _ in range(2):
        rec = Recorder()
        tr = Trainer(build_model(MLP, seed=3), ds, cfg, on_event=rec)
        tr.pause()
        recs.append(rec), trainers.append(tr), threads.append(run_in_thread(tr)[0])
    for rec, tr in zip(recs, trainers):
        rec.wait_for(lambda e: e.get("status") == "paused")
        tr.step(1)
        rec.wait_for(lambda e: e.get("step") == 1)
    a, b = trainers
    assert_same_weights(a.model, b.model)
    before = weights(a.model)
    a.set_optimizer(lr=0.5)
    with pytest.raises(ValueError):
        a.set_optimizer(nonsense=1)
    for rec, tr in zip(recs, trainers):
        tr.step(1)
        rec.wait_for(lambda e: e.get("step") == 2)
    assert recs[0].of("step")[-1]["lr"] == 0.5 and recs[1].of("step")[-1]["lr"] == 0.1
    wa, wb = weights(a.model), weights(b.model)
    for k in before:  # same gradient (same weights, same batch): the step is 5x longer
        np.testing.assert_allclose(wa[k] - before[k], 5 * (wb[k] - before[k]), rtol=1e-3, atol=1e-6)
    for tr, t in zip(trainers, threads):
        tr.stop()
        t.join(WAIT)


def test_huge_lr_diverges_without_exception():
    ds = SimpleNamespace(x_train=np.linspace(-1, 1, 128, dtype=np.float32)[:, None],
                         y_train=np.linspace(0, 50, 128, dtype=np.float32),
                         x_val=np.zeros((0, 1), np.float32), y_val=np.zeros(0, np.float32),
                         x_test=np.zeros((4, 1), np.float32), y_test=np.zeros(4, np.float32))
    spec = {"input_shape": [1], "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                                           {"type": "dense", "units": 1}], "loss": "mse"}
    rec = Recorder()
    final = Trainer(build_model(spec, seed=0), ds, TrainConfig(epochs=50, batch_size=16, lr=100),  # the bound
                    on_event=rec).run()
    assert final["status"] == "diverged" and "loss" in final["message"]
    assert final["steps"] < 50 * 8 and final["test"] is None
    assert rec.events[-2] == {"type": "status", "status": "diverged", "message": final["message"]}
    json.dumps(rec.events, allow_nan=False)


def test_same_seed_same_weights_and_other_seed_differs():
    ds = circle()
    cfg = TrainConfig(epochs=2, batch_size=16, optimizer="momentum", lr=0.05, seed=7)
    models = [build_model(MLP, seed=5) for _ in range(3)]
    Trainer(models[0], ds, cfg).run()
    Trainer(models[1], ds, cfg).run()
    Trainer(models[2], ds, TrainConfig(epochs=2, batch_size=16, optimizer="momentum", lr=0.05, seed=8)).run()
    assert_same_weights(models[0], models[1])
    assert not np.array_equal(weights(models[0])["layers.0.weight"], weights(models[2])["layers.0.weight"])


def roundtrip(state, tmp_path):
    """Store a state_dict as the run manager does: arrays in an .npz, the rest in JSON."""
    arrays = {k: v for k, v in state.items() if isinstance(v, np.ndarray)}
    rest = {k: v for k, v in state.items() if not isinstance(v, np.ndarray)}
    np.savez(tmp_path / "trainer.npz", **arrays)
    (tmp_path / "trainer.json").write_text(json.dumps(rest))
    with np.load(tmp_path / "trainer.npz", allow_pickle=False) as f:
        back = {k: f[k] for k in f.files}
    back.update(json.loads((tmp_path / "trainer.json").read_text()))
    return back


@pytest.mark.parametrize("stop_at", [7, 10])  # mid-epoch, and exactly at an epoch boundary
def test_checkpoint_resume_equals_uninterrupted(tmp_path, stop_at):
    ds = circle()
    spec = {**MLP, "layers": MLP["layers"][:2] + [{"type": "dropout", "rate": 0.3}] + MLP["layers"][2:]}
    cfg = TrainConfig(epochs=3, batch_size=16, optimizer="adam", lr=0.01, seed=2)
    full = build_model(spec, seed=4)
    expected = Trainer(full, ds, cfg).run()

    first = Trainer(build_model(spec, seed=4), ds, cfg,
                    on_event=lambda e: first.stop() if e.get("step") == stop_at else None)
    assert first.run()["status"] == "stopped"
    state = roundtrip(first.state_dict(), tmp_path)

    resumed_model = build_model(spec, seed=99)  # different init: everything comes from the state
    second = Trainer(resumed_model, ds, cfg)
    second.load_state_dict(state)
    final = second.run()
    assert final["status"] == "finished" and final["steps"] == expected["steps"]
    assert_same_weights(full, resumed_model)
    assert final["test"] == expected["test"] and final["train"] == expected["train"]


def test_state_taken_inside_any_event_resumes(tmp_path):
    """The run worker checkpoints from its event handler, also on the last step of an epoch."""
    ds = circle()
    cfg = TrainConfig(epochs=2, batch_size=16, optimizer="sgd", lr=0.1, seed=2)
    full = build_model(MLP, seed=4)
    Trainer(full, ds, cfg).run()
    states = {}
    first = Trainer(build_model(MLP, seed=4), ds, cfg,
                    on_event=lambda e: states.setdefault(e.get("step"), first.state_dict())
                    if e["type"] == "step" and e["step"] in (9, 10, 20) else None)
    first.run()
    for _step, state in states.items():
        model = build_model(MLP, seed=0)
        second = Trainer(model, ds, cfg)
        second.load_state_dict(roundtrip(state, tmp_path))
        final = second.run()
        assert final["steps"] == 20 and final["train"]["loss"] is not None
        assert_same_weights(full, model)


def test_no_shuffle_step_k_sees_rows_k_times_b():
    n, B = 50, 8
    x = np.arange(n, dtype=np.float32)[:, None].repeat(2, axis=1)
    y = (np.arange(n) % 2).astype(np.int64)
    ds = SimpleNamespace(x_train=x, y_train=y, x_val=x[:0], y_val=y[:0], x_test=x[:5], y_test=y[:5])
    seen = []

    class Spy:
        """The model, recording every training batch it is given."""

        def __init__(self, model):
            self._m = model

        def __getattr__(self, name):
            return getattr(self._m, name)

        def __call__(self, xb, training=False, **kw):
            if training:
                seen.append(np.asarray(xb)[:, 0].astype(int).tolist())
            return self._m(xb, training=training, **kw)

    Trainer(Spy(build_model(MLP, seed=0)), ds, TrainConfig(epochs=2, batch_size=B, shuffle=False)).run()
    per_epoch = [list(range(k * B, min((k + 1) * B, n))) for k in range(-(-n // B))]
    assert seen == per_epoch * 2

    seen.clear()
    Trainer(Spy(build_model(MLP, seed=0)), ds, TrainConfig(epochs=2, batch_size=B, shuffle=True)).run()
    epochs = [sum(seen[:7], []), sum(seen[7:], [])]
    assert all(sorted(e) == list(range(n)) for e in epochs)
    assert epochs[0] != list(range(n)) and epochs[0] != epochs[1]


def test_snapshots_every_n_and_on_request_while_paused():
    rec = Recorder()
    tr = Trainer(build_model(MLP, seed=0), circle(), TrainConfig(steps=10**9, batch_size=16, snapshot_every=4),
                 on_event=rec)
    tr.step(8)
    t, _ = run_in_thread(tr)
    rec.wait_for(lambda e: e.get("status") == "paused")
    snaps = rec.of("snapshot")
    assert [s["step"] for s in snaps] == [4, 8]
    layers = snaps[0]["layers"]
    assert [(layer["index"], layer["type"]) for layer in layers] == [(0, "dense"), (1, "relu"), (2, "dense"), (3, "dense")]
    dense = layers[0]
    assert dense["grad_norm"] > 0 and dense["dead_fraction"] is None
    assert set(dense["weight"]) == {"mean", "std", "min", "max", "norm", "hist"}
    assert len(dense["weight"]["hist"]["counts"]) == 30 and dense["grad"]["norm"] <= dense["grad_norm"]
    assert layers[1]["weight"] is None and 0 <= layers[1]["dead_fraction"] <= 1
    assert layers[2]["dead_fraction"] is not None  # dense with activation relu
    before = tr.state_dict()
    tr.request_snapshot()
    rec.wait_for(lambda e: e["type"] == "snapshot" and e["step"] == 8 and e is not snaps[1])
    after = tr.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before if k.startswith("model."))
    tr.stop()
    t.join(WAIT)
    json.dumps(rec.events, allow_nan=False)


def test_evaluate_binary_and_regression():
    ds = circle()
    bce = {"input_shape": [2], "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                                          {"type": "dense", "units": 1}], "loss": "binary_cross_entropy"}
    model = build_model(bce, seed=0)
    final = Trainer(model, ds, TrainConfig(epochs=20, batch_size=16, optimizer="adam", lr=0.05)).run()
    logits = model(ds.x_test).data[:, 0]
    assert final["test"]["accuracy"] == np.mean((logits > 0).astype(int) == ds.y_test) > 0.8
    assert len(final["test"]["confusion"]) == 2

    reg = load_dataset("sin", seed=0, val_split=0.1, n_samples=100)
    spec = {"input_shape": [1], "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                                           {"type": "dense", "units": 1}], "loss": "mse"}
    rec = Recorder()
    final = Trainer(build_model(spec, seed=0), reg, TrainConfig(epochs=2, batch_size=16), on_event=rec).run()
    assert final["test"]["accuracy"] is None and final["test"]["loss"] >= 0
    assert "confusion" not in final["test"] and rec.of("step")[0]["accuracy"] is None


def test_bad_config_is_refused():
    with pytest.raises(ValueError):
        Trainer(build_model(MLP, seed=0), circle(), TrainConfig(batch_size=0))
    with pytest.raises(ValueError):
        Trainer(build_model(MLP, seed=0), circle(), TrainConfig(optimizer="nope"))
    with pytest.raises(ValueError):
        Trainer(build_model(MLP, seed=0), circle(), TrainConfig(steps=1)).step(0)


def test_lr_schedules_scale_the_base_rate_and_follow_live_changes():
    from playground.engine import schedules

    assert schedules.cosine(0.0) == 1.0 and abs(schedules.cosine(1.0)) < 1e-12
    assert abs(schedules.cosine(0.5) - 0.5) < 1e-12
    assert [schedules.step(t) for t in (0.0, 0.49, 0.5, 0.8)] == [1.0, 1.0, 0.1, 0.01]
    with pytest.raises(ValueError, match="lr_schedule"):
        schedules.get_schedule("linear-ish")

    from playground.engine.data.registry import load_dataset
    from playground.engine.model import build_model
    from playground.engine.train import TrainConfig, Trainer

    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 2}], "loss": "softmax_cross_entropy"}
    ds = load_dataset("circle", seed=0, val_split=0, n_samples=100)
    lrs = []
    cfg = TrainConfig(steps=10, batch_size=10, lr=0.1, lr_schedule="cosine")
    trainer = Trainer(build_model(spec, seed=0), ds, cfg,
                      on_event=lambda e: lrs.append(e["lr"]) if e["type"] == "step" else None)
    trainer.run()
    expected = [0.1 * schedules.cosine(k / 10) for k in range(10)]
    assert np.allclose(lrs, expected)
    trainer.set_optimizer(lr=0.5)
    assert trainer.base_lr == 0.5


def test_the_trainer_takes_every_setting_from_its_run_config():
    """steps_per_second slows the run from the first step; optimizer_params reach the optimizer."""
    cfg = TrainConfig(steps=3, batch_size=16, optimizer="momentum", lr=0.05, steps_per_second=50.0,
                      optimizer_params={"momentum": 0.5, "nesterov": True}, weight_decay=0.01)
    tr = Trainer(build_model(MLP, seed=0), circle(), cfg)
    assert tr.controls.rate == 50.0
    assert tr.optimizer.settings() == {"lr": 0.05, "weight_decay": 0.01, "momentum": 0.5, "nesterov": True}
    assert tr.run()["steps"] == 3
    assert Trainer(build_model(MLP, seed=0), circle(), TrainConfig(steps=1)).controls.rate is None


def test_a_stop_during_the_final_evaluation_ends_it():
    # The final test evaluation of a very deep network can take minutes; a stop
    # that arrives meanwhile ends the run at once, "stopped", without test metrics.
    # (A stop during training is answered with the evaluation, as above.)
    import playground.engine.evaluation as evaluation

    data = load_dataset("circle", seed=0, val_split=0.1, noise=0.1, n_samples=40_000)
    tr = Trainer(build_model(MLP, seed=0), data, TrainConfig(steps=2, batch_size=8))
    tr.model.report.layers[0].params *= 10**9  # costs the eval_batch rule reads: one sample a batch
    assert evaluation.eval_batch(tr.model) == 1

    def on_event(e):
        if e["type"] == "eval" and e["split"] == "val":  # the test evaluation starts next
            threading.Timer(0.05, tr.stop).start()

    tr.on_event = on_event
    t, out = run_in_thread(tr)
    t.join(WAIT)
    final = out["final"]
    assert not t.is_alive() and final["status"] == "stopped" and final["test"] is None
    assert final["message"] == "stopped during the final evaluation: no test metrics"
    assert final["val"] is not None and final["steps"] == 2


def test_evaluation_checks_for_a_stop_between_batches():
    import playground.engine.evaluation as evaluation
    from playground.engine import losses

    model = build_model(MLP, seed=0)
    x, y = circle().x_test, circle().y_test
    asked = []

    def cancelled():
        asked.append(1)
        return len(asked) > 2

    out = evaluation.evaluate(model, losses.softmax_cross_entropy, "softmax_cross_entropy", x, y,
                              batch_size=5, cancelled=cancelled)
    assert out is None and len(asked) == 3  # two batches ran, the third was not started
    whole = evaluation.evaluate(model, losses.softmax_cross_entropy, "softmax_cross_entropy", x, y, batch_size=5)
    assert whole is not None and whole["accuracy"] is not None
    # Batches: 1,000 samples for an MNIST-sized model, fewer only for very costly ones.
    cnn = build_model({"input_shape": [28, 28, 1], "layers": [
        {"type": "conv2d", "filters": 8, "kernel_size": 5, "padding": "same", "activation": "relu"},
        {"type": "maxpool2d"}, {"type": "flatten"}, {"type": "dense", "units": 10}]}, seed=0)
    assert evaluation.eval_batch(cnn) == 1000 and evaluation.eval_batch(model) == 1000
