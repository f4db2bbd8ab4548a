"""Engine vs PyTorch CPU: training throughput, time to accuracy, latency, memory.

    python -m benchmarks.engine [--repeats 3] [--samples 60000] [--threads 1,2] [--models mlp,cnn]
                                [--accuracy mlp,cnn,fast] [--preset-seeds 3] [--memory-steps 200]

Every measurement runs in its own fresh interpreter that imports only its own
framework, so no thread pool of the other framework is alive (or spinning)
while it is timed. Thread counts are fixed before the import: the engine
starts with OPENBLAS/OMP/MKL_NUM_THREADS=1 and trains with
``TrainConfig.threads=t`` (a CNN's batches split over t processes, a
dense-only model's BLAS at t threads: engine/fast/processes.py); PyTorch gets
OMP/MKL_NUM_THREADS=t and ``torch.set_num_threads(t)``.

1. Throughput: one epoch of MNIST-shaped float32 random data after 20 warm-up
   steps, plain SGD, MLP 784-256-128-10 (batch 128) and a LeNet-like CNN
   (batch 64), both sides starting from the same weights. Each repetition
   runs both sides back to back, the first side alternating between
   repetitions; the ratio of a repetition is engine / PyTorch samples/s, and
   the table gives the median ratio with its range over ``--repeats``.
2. Time to accuracy on real MNIST (60,000 training images, test accuracy on
   the 10,000 test images every quarter epoch, evaluation time not counted),
   same model, initial weights, optimizer, batches and schedule on both sides,
   at the largest thread count: MLP to 97.5%, CNN to 98.5% (Adam, lr 1e-3),
   and the fast-CNN preset to 99.0% with the settings of its command in
   examples/README.md.
3. The preset through the CLI: that very command, ``--seed`` 0, 1, 2 appended;
   its reported training wall time and test accuracy, median of the seeds.
4. The floors (benchmarks/gemm.py): the MLP step's 8 matrix products alone,
   per side, and the engine's at 2 BLAS threads: how much of each step is
   GEMM, what the GEMMs alone would allow, what 2 BLAS threads give them; the
   CNN step's convolution products, timed inside the engine's step, against
   PyTorch's whole step.
5. One-image inference latency (median of 300 calls, 1 thread), and the peak
   memory table of ``benchmarks.memory``.

Printed in the order throughput, products, latency, preset, time to accuracy, memory
(MNIST missing: those two are skipped with a note). The load average is
printed with each table: on a shared machine the ratios
are the figures to read, absolute samples/s move with the load.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shlex
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARK = "BENCH-RESULT "
TARGETS = {"mlp": {1: 1.2, 2: 1.2}, "cnn": {1: 1.0, 2: 0.9}}
SPEEDUP_TARGET = 1.5
ACCURACY = {   # workload: (model, target test accuracy, batch, lr, max epochs)
    "mlp": ("mlp", 0.975, 128, 1e-3, 4),
    "cnn": ("cnn", 0.985, 64, 1e-3, 4),
}
PRESET = "examples/fast_cnn.json"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} CPUs"


def preset_command() -> list[str]:
    """The fast-CNN command of examples/README.md, the one place it is written."""
    for line in (ROOT / "examples" / "README.md").read_text().splitlines():
        line = line.strip().strip("`")
        if line.startswith(f"playground train {PRESET}"):
            return shlex.split(line)
    raise RuntimeError(f"examples/README.md has no 'playground train {PRESET}' line")


def preset_settings() -> dict:
    """batch, lr, schedule, epochs, threads and optimizer of the preset's command."""
    from playground.cli import build_parser

    args = build_parser().parse_args(preset_command()[1:])
    return {"batch": args.batch_size, "lr": args.lr, "schedule": args.lr_schedule,
            "epochs": args.epochs or 1, "optimizer": args.optimizer, "threads": args.threads}


# -- one measurement (in a child process) -----------------------------------------------

def child(task: dict) -> dict:
    side, threads = task["side"], task.get("threads", 1)
    if side == "torch":
        import torch

        torch.set_num_threads(threads)
    if task["task"] == "throughput":
        return _throughput(task)
    if task["task"] == "latency":
        return _latency(task)
    if task["task"] == "gemm":
        from benchmarks import gemm

        return gemm.child(side, threads)
    if task["task"] == "conv-products":
        from benchmarks import gemm

        return gemm.conv_child()
    return _time_to_accuracy(task)


def _runner(task: dict, data, **kw):
    from benchmarks import workloads

    if task["side"] == "engine":
        return workloads.engine_runner(task["model"], data, threads=task.get("threads", 1), **kw)
    from playground.engine.model import build_model

    spec = kw.get("spec") or workloads.MODELS[task["model"]]["spec"]
    return workloads.torch_runner(task["model"], data, copy_from=build_model(spec, seed=kw.get("seed", 0)),
                                  **kw)


def _throughput(task: dict) -> dict:
    import time

    from benchmarks.workloads import MODELS, synthetic_mnist

    data = synthetic_mnist(task["samples"])
    batch = MODELS[task["model"]]["batch"]
    steps = -(-task["samples"] // batch)
    _, run = _runner(task, data, epochs=2)
    run(20)
    wall, cpu = time.perf_counter(), time.process_time()
    run(steps)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"samples_per_s": steps * batch / wall, "wall": wall, "cpu": cpu}


def _latency(task: dict) -> dict:
    import time

    import numpy as np

    from benchmarks.workloads import MODELS, torch_from_spec
    from playground.engine.model import build_model

    x = np.random.default_rng(1).random((1, 28, 28, 1), dtype=np.float32)
    model = build_model(MODELS[task["model"]]["spec"], seed=0)
    if task["side"] == "engine":
        def predict():
            return model.predict_proba(x)
    else:
        import torch

        net = torch_from_spec(MODELS[task["model"]]["spec"], model).eval()
        xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))

        def predict():
            with torch.no_grad():
                return torch.softmax(net(xt), dim=1).numpy()
    for _ in range(20):
        predict()
    times = []
    for _ in range(300):
        t0 = time.perf_counter()
        predict()
        times.append(time.perf_counter() - t0)
    return {"us": statistics.median(times) * 1e6}


def _time_to_accuracy(task: dict) -> dict:
    import time

    import numpy as np

    from benchmarks.workloads import MODELS
    from playground.engine.data import load_dataset

    ds = load_dataset("mnist", seed=task["seed"], val_split=0.0)
    if task["workload"] == "fast":
        spec = json.loads((ROOT / PRESET).read_text())
        s = preset_settings()
        kw = {"spec": spec, "batch": s["batch"], "optimizer": s["optimizer"], "lr": s["lr"],
              "schedule": s["schedule"], "epochs": s["epochs"]}
        target = 0.99
    else:
        name, target, batch, lr, epochs = ACCURACY[task["workload"]]
        kw = {"spec": MODELS[name]["spec"], "batch": batch, "optimizer": "adam", "lr": lr,
              "schedule": "constant", "epochs": epochs}
    # The trainer sees no test split: it would evaluate it at the end of every run() call.
    train_only = dataclasses.replace(ds, x_test=ds.x_test[:0], y_test=ds.y_test[:0])
    net, run = _runner(dict(task, model="cnn"), train_only, seed=task["seed"], **kw)
    steps_per_epoch = -(-len(ds.x_train) // kw["batch"])
    chunk = -(-steps_per_epoch // 4)
    if task["side"] == "engine":
        def accuracy():
            return float((net.predict(ds.x_test) == ds.y_test).mean())
    else:
        import torch

        xt = torch.from_numpy(np.ascontiguousarray(ds.x_test.transpose(0, 3, 1, 2)))

        def accuracy():
            with torch.no_grad():
                return float((net(xt).argmax(1).numpy() == ds.y_test).mean())
    trained, done, curve = 0.0, 0, []
    while done < kw["epochs"] * steps_per_epoch:
        k = min(chunk, kw["epochs"] * steps_per_epoch - done)
        t0 = time.perf_counter()
        run(k)
        trained += time.perf_counter() - t0
        done += k
        curve.append((round(trained, 2), accuracy()))
        if curve[-1][1] >= target:
            break
    reached = curve[-1][0] if curve[-1][1] >= target else None
    return {"seconds": reached, "curve": curve, "epochs": done / steps_per_epoch}


# -- the parent ------------------------------------------------------------------------

def spawn(task: dict) -> dict:
    env = dict(os.environ)
    threads = task.get("threads", 1)
    per_process = threads if task["side"] == "torch" else 1
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(per_process)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "benchmarks.engine", "--child", json.dumps(task)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{task} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(lines[-1][len(MARK):])


def _span(values: list[float], fmt: str) -> str:
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def throughput_table(models, thread_counts, repeats: int, samples: int) -> dict:
    print(f"\n## Training throughput: one epoch of {samples:,} MNIST-shaped samples, SGD, "
          f"{repeats} alternating repetitions\n({load()} before)", flush=True)
    results = {}
    for threads in thread_counts:
        for name in models:
            rows = {"engine": [], "torch": [], "ratio": []}
            for rep in range(repeats):
                sides = ("engine", "torch") if rep % 2 == 0 else ("torch", "engine")
                got = {side: spawn({"task": "throughput", "side": side, "model": name, "threads": threads,
                                    "samples": samples})["samples_per_s"] for side in sides}
                rows["engine"].append(got["engine"])
                rows["torch"].append(got["torch"])
                rows["ratio"].append(got["engine"] / got["torch"])
            results[(name, threads)] = rows
            print(f"  {name} threads={threads}: ratios " + ", ".join(f"{r:.2f}" for r in rows["ratio"]),
                  flush=True)
    print(f"\n({load()} after)\n")
    print("| model | batch | threads | engine samples/s | PyTorch samples/s | engine / PyTorch, median (range) "
          "| target |")
    print("|---|---|---|---|---|---|---|")
    from benchmarks.workloads import MODELS

    for (name, threads), rows in results.items():
        print(f"| {name} | {MODELS[name]['batch']} | {threads} | {_span(rows['engine'], '{:,.0f}')} | "
              f"{_span(rows['torch'], '{:,.0f}')} | {_span(rows['ratio'], '{:.2f}x')} | "
              f">= {TARGETS[name][threads]}x |")
    if len(thread_counts) > 1:
        lo, hi = min(thread_counts), max(thread_counts)
        print(f"\nSpeed-up from {lo} to {hi} threads (median samples/s; target >= {SPEEDUP_TARGET}x "
              f"for the engine)\n")
        print("| model | engine | PyTorch |")
        print("|---|---|---|")
        for name in models:
            ups = [statistics.median(results[(name, hi)][s]) / statistics.median(results[(name, lo)][s])
                   for s in ("engine", "torch")]
            print(f"| {name} | {ups[0]:.2f}x | {ups[1]:.2f}x |")
    return results


def accuracy_table(workloads, threads: int, seed: int = 0) -> None:
    print(f"\n## Time to accuracy on MNIST, {threads} threads, seed {seed} ({load()} before)", flush=True)
    rows = []
    for workload in workloads:
        got = {side: spawn({"task": "accuracy", "side": side, "workload": workload, "threads": threads,
                            "seed": seed}) for side in ("engine", "torch")}
        rows.append((workload, got))
        for side, r in got.items():
            print(f"  {workload} {side}: " + ", ".join(f"{s}s {a:.4f}" for s, a in r["curve"]), flush=True)
    print(f"\n({load()} after)\n")
    print("| workload | target | engine s | PyTorch s | engine / PyTorch time |")
    print("|---|---|---|---|---|")
    names = {"mlp": "MLP, Adam 1e-3, batch 128", "cnn": "LeNet-like CNN, Adam 1e-3, batch 64",
             "fast": f"fast CNN preset ({PRESET})"}
    def cell(seconds, result) -> str:
        return f"{seconds:.1f}" if seconds is not None else f"not reached ({result['curve'][-1][1]:.4f})"

    for workload, got in rows:
        target = 0.99 if workload == "fast" else ACCURACY[workload][1]
        e, t = got["engine"]["seconds"], got["torch"]["seconds"]
        ratio = f"{e / t:.2f}" if e and t else "-"
        print(f"| {names[workload]} | {target:.1%} | {cell(e, got['engine'])} | {cell(t, got['torch'])} | "
              f"{ratio} |")


def preset_cli(seeds: int) -> None:
    cmd = preset_command()
    print(f"\n## The fast-CNN preset through the CLI ({load()} before)\n`{' '.join(cmd)} --seed S`",
          flush=True)
    runs = []
    for seed in range(seeds):
        exe = str(Path(sys.executable).with_name("playground"))
        proc = subprocess.run([exe, *cmd[1:], "--json", "--seed", str(seed)], cwd=ROOT, capture_output=True,
                              text=True, check=True)
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        runs.append((seed, out["seconds"], out["test_accuracy"]))
        print(f"  seed {seed}: {out['seconds']:.1f} s, test accuracy {out['test_accuracy']:.4f}", flush=True)
    print(f"\n({load()} after)\n")
    print("| seed | training wall time s | test accuracy |")
    print("|---|---|---|")
    for seed, sec, acc in runs:
        print(f"| {seed} | {sec:.1f} | {acc:.2%} |")
    secs, accs = [r[1] for r in runs], [r[2] for r in runs]
    print(f"| median | {statistics.median(secs):.1f} (target <= 60) | {statistics.median(accs):.2%} "
          f"(target >= 99.0%) |")


def latency_table(models) -> None:
    print("\n## Inference, one 28x28 image, median of 300 calls, 1 thread\n")
    print("| model | engine us | PyTorch us | target |")
    print("|---|---|---|---|")
    for name in models:
        e, t = (spawn({"task": "latency", "side": s, "model": name})["us"] for s in ("engine", "torch"))
        print(f"| {name} | {e:.0f} | {t:.0f} | < 1000 |")


def gemm_table(results: dict, repeats: int) -> None:
    """The MLP step's matrix products alone, each side in its own process (benchmarks/gemm.py):
    at 1 thread on both sides, and the engine's at 2 BLAS threads."""
    from benchmarks.workloads import MODELS

    rows = (("NumPy (OpenBLAS)", "engine", 1), ("PyTorch (MKL)", "torch", 1), ("NumPy (OpenBLAS)", "engine", 2))
    us: dict[tuple[str, int], list[float]] = {(side, threads): [] for _, side, threads in rows}
    for rep in range(repeats):
        for key in (list(us) if rep % 2 == 0 else list(us)[::-1]):
            us[key].append(spawn({"task": "gemm", "side": key[0], "threads": key[1]})["us"])
    batch = MODELS["mlp"]["batch"]
    print(f"\n## The MLP step's 8 matrix products alone, median of {repeats} alternating runs "
          f"({load()})\n")
    print("| side | threads | products us/step | whole step us (throughput table) | share of the step | "
          "samples/s if the rest were free |")
    print("|---|---|---|---|---|---|")
    for name, side, threads in rows:
        gemm = statistics.median(us[(side, threads)])
        row = results.get(("mlp", threads), {}).get(side)
        whole = batch / statistics.median(row) * 1e6 if row else None
        cells = (f"{whole:,.0f} | {gemm / whole:.0%}" if whole else "- | -")
        print(f"| {name} | {threads} | {gemm:,.0f} | {cells} | {batch / gemm * 1e6:,.0f} |")
    gain = statistics.median(us[("engine", 1)]) / statistics.median(us[("engine", 2)])
    print(f"\nThe engine's products alone run {gain:.2f}x as fast on 2 BLAS threads as on 1; nothing "
          f"else in its MLP step uses the second core.")


def conv_products_table(results: dict, repeats: int) -> None:
    """The engine CNN step's convolution products, timed inside the step (benchmarks/gemm.py)."""
    from benchmarks.workloads import MODELS

    got = [spawn({"task": "conv-products", "side": "engine"}) for _ in range(repeats)]
    step = statistics.median(g["step_us"] for g in got)
    products = statistics.median(g["products_us"] for g in got)
    print(f"\n## The CNN step's convolution products (engine, 1 thread), timed inside the step, "
          f"median of {repeats} runs ({load()})\n")
    print("| engine step us | of which conv products us | share | PyTorch whole step us (throughput table) "
          "| engine / PyTorch if all but the products were free |")
    print("|---|---|---|---|---|")
    row = results.get(("cnn", 1), {}).get("torch")
    batch = MODELS["cnn"]["batch"]
    torch_us = batch / statistics.median(row) * 1e6 if row else None
    cells = f"{torch_us:,.0f} | {torch_us / products:.2f}x" if torch_us else "- | -"
    print(f"| {step:,.0f} | {products:,.0f} | {products / step:.0%} | {cells} |")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--repeats", type=int, default=3, help="alternating repetitions per row (default 3)")
    ap.add_argument("--samples", type=int, default=60000, help="samples per throughput epoch")
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--models", default="mlp,cnn")
    ap.add_argument("--accuracy", default="mlp,cnn,fast", help="time-to-accuracy rows ('' skips them)")
    ap.add_argument("--preset-seeds", type=int, default=3, help="CLI runs of the preset (0 skips them)")
    ap.add_argument("--memory-steps", type=int, default=200,
                    help="training steps for the peak-memory table (benchmarks.memory); 0 skips it")
    args = ap.parse_args(argv)
    if args.child:
        print(MARK + json.dumps(child(json.loads(args.child))), flush=True)
        return
    import numpy as np
    import torch

    print(f"numpy {np.__version__}, torch {torch.__version__}, {load()}")
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    thread_counts = [int(t) for t in args.threads.split(",")]
    results = throughput_table(models, thread_counts, args.repeats, args.samples)
    if "mlp" in models:
        gemm_table(results, args.repeats)
    if "cnn" in models:
        conv_products_table(results, args.repeats)
    latency_table(models)
    workloads = [w.strip() for w in args.accuracy.split(",") if w.strip()]
    from playground.engine.data.mnist import files_available

    if (workloads or args.preset_seeds > 0) and not files_available("mnist"):
        print("\nMNIST files not found (PLAYGROUND_DATA_DIR or the cache): no time-to-accuracy "
              "table and no preset runs. `python -m playground.engine.data.download mnist` fetches them.")
        workloads, args.preset_seeds = [], 0
    if args.preset_seeds > 0:
        preset_cli(args.preset_seeds)
    if workloads:
        accuracy_table(workloads, max(thread_counts))
    if args.memory_steps > 0:
        from benchmarks import memory

        results = memory.measure(tuple(models), args.memory_steps, args.samples, 1)
        memory.print_report(results, args.memory_steps, args.samples, 1)


if __name__ == "__main__":
    main()
