"""A batch split over processes trains like the whole batch: same loss, same
gradients (float64), same weights after a few Trainer steps; dropout stays
reproducible for a given seed and process count; a worker's error reaches the
caller and leaves the split usable; workers go when it is closed."""

from types import SimpleNamespace

import numpy as np
import pytest

from playground.engine.fast.processes import ProcessSplit
from playground.engine.losses import softmax_cross_entropy
from playground.engine.model import build_model
from playground.engine.train import TrainConfig, Trainer

CNN = {"input_shape": [8, 8, 1], "layers": [
    {"type": "conv2d", "filters": 3, "kernel_size": 3, "padding": "same"}, {"type": "relu"},
    {"type": "maxpool2d"}, {"type": "flatten"}, {"type": "dense", "units": 4}]}
MLP = {"input_shape": [8, 8, 1], "layers": [
    {"type": "flatten"}, {"type": "dense", "units": 16, "activation": "relu"}, {"type": "dense", "units": 4}]}
DROPOUT = {"input_shape": [8, 8, 1], "layers": [
    {"type": "conv2d", "filters": 3, "kernel_size": 3, "padding": "same"}, {"type": "relu"},
    {"type": "maxpool2d"}, {"type": "flatten"}, {"type": "dense", "units": 16, "activation": "relu"},
    {"type": "dropout", "rate": 0.5}, {"type": "dense", "units": 4}]}


def data(n=70, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8, 8, 1))
    y = rng.integers(0, 4, size=n)
    return SimpleNamespace(x_train=x, y_train=y, x_val=x[:10], y_val=y[:10], x_test=x[:10], y_test=y[:10])


@pytest.mark.parametrize("spec", [CNN, MLP], ids=["cnn", "mlp"])
@pytest.mark.parametrize("threads,n", [(2, 33), (3, 64), (4, 3)])
def test_split_step_equals_the_whole_batch(spec, threads, n):
    ds = data()
    x, y = ds.x_train[:n], ds.y_train[:n]
    whole = build_model(spec, seed=1, dtype=np.float64)
    loss = softmax_cross_entropy(whole(x, training=True), y)
    loss.backward()
    split_model = build_model(spec, seed=1, dtype=np.float64)
    step = ProcessSplit(split_model, "softmax_cross_entropy", threads)
    value, outputs = step(x, y)
    step.close()
    np.testing.assert_allclose(value, loss.item(), rtol=1e-12)
    np.testing.assert_allclose(outputs, whole(x).data, rtol=1e-12, atol=1e-12)
    for a, b in zip(split_model.parameters(), whole.parameters()):
        np.testing.assert_allclose(a.grad, b.grad, rtol=1e-10, atol=1e-13)


def test_trainer_with_threads_follows_the_single_thread_run():
    finals = []
    for threads in (1, 2):
        model = build_model(CNN, seed=2, dtype=np.float64)
        cfg = TrainConfig(epochs=2, batch_size=16, optimizer="momentum", lr=0.05, seed=3, threads=threads)
        final = Trainer(model, data(), cfg).run()
        finals.append((final, model.state_dict()))
    (one, w1), (two, w2) = finals
    assert one["steps"] == two["steps"] == 10
    np.testing.assert_allclose(one["train"]["loss"], two["train"]["loss"], rtol=1e-9)
    for key in w1:
        np.testing.assert_allclose(w1[key], w2[key], rtol=1e-9, atol=1e-12)


def test_dropout_with_threads_is_reproducible():
    runs = []
    for _ in range(2):
        model = build_model(DROPOUT, seed=4)
        Trainer(model, data(), TrainConfig(epochs=1, batch_size=16, seed=5, threads=2)).run()
        runs.append(model.state_dict())
    for key in runs[0]:
        np.testing.assert_array_equal(runs[0][key], runs[1][key])


def test_threads_split_conv_models_over_processes_and_give_dense_ones_to_blas():
    from threadpoolctl import threadpool_info

    seen = []

    def blas_threads(event):
        if event["type"] == "step":
            seen.append(max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"))

    conv = Trainer(build_model(CNN, seed=0), data(), TrainConfig(epochs=1, batch_size=16, threads=2))
    dense = Trainer(build_model(MLP, seed=0), data(), TrainConfig(epochs=1, batch_size=16, threads=2),
                    on_event=blas_threads)
    assert isinstance(conv._split, ProcessSplit) and dense._split is None
    conv._split.close()
    dense.run()
    assert seen and set(seen) == {2}


def test_bad_thread_counts_are_refused():
    with pytest.raises(ValueError, match="threads"):
        Trainer(build_model(MLP, seed=0), data(), TrainConfig(threads=0))


@pytest.mark.parametrize("optimizer,settings", [("sgd", {}), ("momentum", {"nesterov": True}),
                                                ("adam", {"weight_decay": 0.01})])
@pytest.mark.parametrize("threads", [2, 3])
def test_split_steps_with_the_optimizer_equal_plain_steps(optimizer, settings, threads):
    """Given the optimizer, the split step sums and updates: the weights (shared
    with the workers) and optimizer state are those of plain whole-batch steps."""
    from playground.engine.optim import make_optimizer

    ds = data()
    x, y = ds.x_train[:37], ds.y_train[:37]
    plain, fused = (build_model(CNN, seed=6, dtype=np.float64) for _ in range(2))
    opt_plain = make_optimizer(optimizer, plain.parameters(), lr=0.05, **settings)
    opt_fused = make_optimizer(optimizer, fused.parameters(), lr=0.05, **settings)
    step = ProcessSplit(fused, "softmax_cross_entropy", threads)
    for _ in range(3):
        softmax_cross_entropy(plain(x, training=True), y).backward()
        opt_plain.step()
        opt_plain.zero_grad()
        step(x, y, opt_fused)
        opt_fused.zero_grad()
    step.close()
    assert opt_fused.t == opt_plain.t == 3
    for a, b in zip(fused.parameters(), plain.parameters()):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-10, atol=1e-13)
    for name, arrays in opt_plain.state.items():
        for a, b in zip(opt_fused.state[name], arrays):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_a_non_finite_loss_updates_nothing():
    from playground.engine.optim import make_optimizer

    model = build_model(MLP, seed=7, dtype=np.float64)
    before = [p.data.copy() for p in model.parameters()]
    opt = make_optimizer("adam", model.parameters())
    step = ProcessSplit(model, "softmax_cross_entropy", 2)
    x = data().x_train[:8].copy()
    x[5] = np.inf                               # the worker's shard
    loss, _ = step(x, data().y_train[:8], opt)
    step.close()
    assert not np.isfinite(loss) and opt.t == 0
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, b)


def test_an_error_in_a_worker_reaches_the_caller_and_the_split_goes_on():
    model = build_model(MLP, seed=8)
    step = ProcessSplit(model, "softmax_cross_entropy", 2)
    from playground.engine.optim import make_optimizer
    opt = make_optimizer("sgd", model.parameters())
    y = np.array([0, 1, 2, 3, 0, 1, 2, 99])      # a label out of range, in the worker's shard
    with pytest.raises(RuntimeError, match="shard worker 1: "):
        step(data().x_train[:8], y, opt)
    assert opt.t == 0
    # the step is usable again afterwards
    loss, _ = step(data().x_train[:8], np.array([0, 1, 2, 3, 0, 1, 2, 3]), opt)
    assert np.isfinite(loss) and opt.t == 1
    procs = list(step._procs)
    step.close()
    assert all(p.poll() is not None for p in procs)


def test_the_workers_see_weights_loaded_between_steps():
    # A checkpoint loaded into the model (new values in the same arrays, or new
    # arrays) is what the workers train on at the next step.
    ds = data()
    x, y = ds.x_train[:16], ds.y_train[:16]
    model = build_model(MLP, seed=9, dtype=np.float64)
    step = ProcessSplit(model, "softmax_cross_entropy", 2)
    step(x, y)
    model.zero_grad()
    other = build_model(MLP, seed=10, dtype=np.float64)
    model.load_state_dict(other.state_dict())
    model.parameters()[0].data = model.parameters()[0].data.copy()   # rebound, as a resume may
    value, _ = step(x, y)
    step.close()
    np.testing.assert_allclose(value, softmax_cross_entropy(other(x), y).item(), rtol=1e-12)


def test_a_larger_batch_restarts_the_workers_with_room_for_it():
    ds = data()
    model = build_model(MLP, seed=11, dtype=np.float64)
    whole = build_model(MLP, seed=11, dtype=np.float64)
    step = ProcessSplit(model, "softmax_cross_entropy", 2)
    step(ds.x_train[:8], ds.y_train[:8])
    first = list(step._procs)
    model.zero_grad()
    value, outputs = step(ds.x_train[:40], ds.y_train[:40])
    assert step._procs != first and all(p.poll() is not None for p in first)
    step.close()
    np.testing.assert_allclose(value, softmax_cross_entropy(whole(ds.x_train[:40]), ds.y_train[:40]).item(),
                               rtol=1e-12)
    assert outputs.shape == (40, 4)


def test_workers_exit_when_the_main_process_is_killed():
    # A killed trainer (a run stopped with SIGKILL) leaves no worker behind:
    # each worker's pipe closes and it exits.
    import signal
    import subprocess
    import sys
    import time

    code = """
import sys, numpy as np
from playground.engine.fast.processes import ProcessSplit
from playground.engine.model import build_model
spec = {"input_shape": [4], "layers": [{"type": "dense", "units": 3}]}
step = ProcessSplit(build_model(spec, seed=0), "softmax_cross_entropy", 3)
step(np.zeros((6, 4), np.float32), np.zeros(6, np.int64))
print(" ".join(str(p.pid) for p in step._procs), flush=True)
sys.stdin.read()
"""
    main = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in main.stdout.readline().split()]
    assert len(pids) == 2
    main.send_signal(signal.SIGKILL)
    main.wait()
    deadline = time.monotonic() + 10
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [p for p in pids if _running(p)]
    assert not alive, f"workers {alive} outlived their main process"


def _running(pid):

    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"     # a zombie has exited, waiting for init to reap it
    except FileNotFoundError:
        return False


def test_a_dead_worker_fails_one_step_and_the_next_starts_afresh():
    ds = data()
    x, y = ds.x_train[:16], ds.y_train[:16]
    model = build_model(MLP, seed=12, dtype=np.float64)
    whole = build_model(MLP, seed=12, dtype=np.float64)
    step = ProcessSplit(model, "softmax_cross_entropy", 2)
    step(x, y)
    model.zero_grad()
    step._procs[0].kill()
    step._procs[0].wait()
    with pytest.raises(RuntimeError, match="shard worker 1: exited"):
        step(x, y)
    model.zero_grad()
    value, _ = step(x, y)
    step.close()
    np.testing.assert_allclose(value, softmax_cross_entropy(whole(x), y).item(), rtol=1e-12)
