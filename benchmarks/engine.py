"""Engine vs PyTorch CPU: training throughput and single-image latency.

    python -m benchmarks.engine [--samples 60000] [--threads 2,1] [--models mlp,cnn] [--repeats 1]
                                [--memory-steps 200]

One epoch of MNIST-shaped float32 random data (60,000 x 28x28x1, 10 classes),
plain SGD, same models on both sides:

- MLP 784-256-128-10 (relu), batch 128
- LeNet-like CNN (conv5x5x8 same, relu, pool2, conv5x5x16 same, relu, pool2,
  flatten, dense 10), batch 64

Our side is the product path: ``build_model(spec)`` trained by ``Trainer``
(shuffled mini-batches, per-step loss/accuracy, the engine's SGD). PyTorch gets
the same per-step work: a shuffled gather, forward, cross-entropy, backward,
SGD step, and a loss/accuracy readout. Both sides run in the same process, one
after the other, at each thread count (numpy's BLAS through threadpoolctl,
torch.set_num_threads), so the ratios compare like with like on a shared,
noisy machine. Latency: the median of many single-image predictions
(``Model.predict_proba`` vs ``softmax(net(x))`` under no_grad).

Memory: at the end the peak resident memory table of ``benchmarks.memory``
(training ``--memory-steps`` steps and one-image inference, each side in its
own fresh process; ``--memory-steps 0`` leaves it out).

Targets (issue 2): MLP >= 1.1x PyTorch, CNN >= 0.8x, latency < 1 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

from playground.engine.data.registry import Dataset, DatasetInfo
from playground.engine.model import build_model
from playground.engine.train import TrainConfig, Trainer

MODELS = {
    "mlp": {
        "batch": 128,
        "spec": {"input_shape": [28, 28, 1], "loss": "softmax_cross_entropy", "layers": [
            {"type": "flatten"},
            {"type": "dense", "units": 256}, {"type": "relu"},
            {"type": "dense", "units": 128}, {"type": "relu"},
            {"type": "dense", "units": 10}]},
    },
    "cnn": {
        "batch": 64,
        "spec": {"input_shape": [28, 28, 1], "loss": "softmax_cross_entropy", "layers": [
            {"type": "conv2d", "filters": 8, "kernel_size": 5, "padding": "same"}, {"type": "relu"},
            {"type": "maxpool2d", "pool_size": 2},
            {"type": "conv2d", "filters": 16, "kernel_size": 5, "padding": "same"}, {"type": "relu"},
            {"type": "maxpool2d", "pool_size": 2},
            {"type": "flatten"}, {"type": "dense", "units": 10}]},
    },
}
LR = 0.01


def synthetic_mnist(n: int, seed: int = 0) -> Dataset:
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, n).astype(np.int64)
    empty_x, empty_y = x[:0], y[:0]
    info = DatasetInfo("synthetic-mnist", "image", (28, 28, 1), 10, n, 0, "random MNIST-shaped data")
    return Dataset(x, y, empty_x, empty_y, empty_x, empty_y, info,
                   tuple(str(i) for i in range(10)))


def engine_runner(name: str, data: Dataset):
    """run(steps): that many more training steps through build_model + Trainer."""
    cfg = MODELS[name]
    model = build_model(cfg["spec"], seed=0)
    tc = TrainConfig(epochs=1, batch_size=cfg["batch"], optimizer="sgd", lr=LR, shuffle=True,
                     seed=0, eval_every_epoch=False)
    trainer = Trainer(model, data, tc)
    trainer.total_steps = 0

    def run(steps: int) -> None:
        # Trainer.run() trains until total_steps; raising it resumes the same epoch.
        trainer.total_steps += steps
        final = trainer.run()
        assert final["status"] == "finished", final
    return run


def torch_model(name: str):
    import torch.nn as nn

    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 10))
    return nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(784, 10))


def torch_runner(name: str, data: Dataset):
    import torch

    torch.manual_seed(0)
    net = torch_model(name)
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    x = torch.from_numpy(np.ascontiguousarray(data.x_train.transpose(0, 3, 1, 2)))
    y = torch.from_numpy(data.y_train)
    batch, n = MODELS[name]["batch"], len(x)
    order = torch.from_numpy(np.random.default_rng(0).permutation(n))
    pos = [0]

    def run(steps: int) -> None:
        for _ in range(steps):
            lo = pos[0] % n
            idx = order[lo:lo + batch]
            pos[0] = lo + batch
            xb, yb = x[idx], y[idx]
            out = net(xb)
            loss = torch.nn.functional.cross_entropy(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
            int((out.argmax(1) == yb).sum())
    return run


def epoch_throughput(name: str, data: Dataset, block: int = 10) -> tuple[float, float]:
    """(engine, torch) samples/s over one epoch each, measured in alternating
    blocks of `block` steps so both sides see the same load on a shared machine."""
    steps = -(-len(data.x_train) // MODELS[name]["batch"])
    ours, theirs = engine_runner(name, data), torch_runner(name, data)
    ours(5)
    theirs(5)
    ours = engine_runner(name, data)  # a fresh epoch, warmed up kernels and buffers
    spent = [0.0, 0.0]
    done = 0
    while done < steps:
        k = min(block, steps - done)
        for side, run in enumerate((ours, theirs)):
            t0 = time.perf_counter()
            run(k)
            spent[side] += time.perf_counter() - t0
        done += k
    n = len(data.x_train)
    return n / spent[0], n / spent[1]


def median_us(fn, repeats: int = 300) -> float:
    for _ in range(20):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e6


def latency(name: str) -> tuple[float, float]:
    import torch

    x = np.random.default_rng(1).random((1, 28, 28, 1), dtype=np.float32)
    model = build_model(MODELS[name]["spec"], seed=0)
    ours = median_us(lambda: model.predict_proba(x))
    net = torch_model(name).eval()
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))

    def torch_predict():
        with torch.no_grad():
            return torch.softmax(net(xt), dim=1).numpy()

    return ours, median_us(torch_predict)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--threads", default="2,1", help="comma-separated thread counts")
    ap.add_argument("--models", default="mlp,cnn")
    ap.add_argument("--repeats", type=int, default=1, help="epochs per side; the run with the median ratio is shown")
    ap.add_argument("--memory-steps", type=int, default=200,
                    help="training steps for the peak-memory table (benchmarks.memory); 0 skips it")
    args = ap.parse_args(argv)
    import torch

    load_before = os.getloadavg()[0]
    data = synthetic_mnist(args.samples)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    rows = []
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        with threadpool_limits(limits=threads):
            for name in models:
                runs = sorted((epoch_throughput(name, data) for _ in range(args.repeats)),
                              key=lambda r: r[0] / r[1])
                ours, theirs = runs[(len(runs) - 1) // 2]  # the median ratio (lower middle)
                rows.append((name, threads, ours, theirs))
                print(f"  {name} threads={threads}: engine {ours:,.0f}/s  torch {theirs:,.0f}/s", flush=True)
            if threads == min(int(t) for t in args.threads.split(",")):
                lat = {name: latency(name) for name in models}

    print(f"\nTraining, one epoch of {args.samples:,} MNIST-shaped samples, SGD "
          f"(numpy {np.__version__}, torch {torch.__version__}; load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs)")
    print("| model | batch | threads | engine samples/s | PyTorch samples/s | ratio | target |")
    print("|---|---|---|---|---|---|---|")
    targets = {"mlp": 1.1, "cnn": 0.8}
    for name, threads, ours, theirs in rows:
        print(f"| {name} | {MODELS[name]['batch']} | {threads} | {ours:,.0f} | {theirs:,.0f} | "
              f"{ours / theirs:.2f}x | >= {targets[name]}x |")
    print("\nInference, one 28x28 image, median over 300 calls (1 thread)")
    print("| model | engine us | PyTorch us | target |")
    print("|---|---|---|---|")
    for name, (ours, theirs) in lat.items():
        print(f"| {name} | {ours:.0f} | {theirs:.0f} | < 1000 |")
    if args.memory_steps > 0:
        from benchmarks import memory  # imports this module's builders, so not at the top

        mem_threads = min(int(t) for t in args.threads.split(","))
        results = memory.measure(tuple(models), args.memory_steps, args.samples, mem_threads)
        memory.print_report(results, args.memory_steps, args.samples, mem_threads)


if __name__ == "__main__":
    main()
