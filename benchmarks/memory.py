"""Engine vs PyTorch CPU: peak resident memory of training and of inference.

    python -m benchmarks.memory [--steps 200] [--samples 60000] [--models mlp,cnn] [--threads 1]

Each measurement runs in its own fresh interpreter, so one framework's
allocations (and the other's import) never count against the other:

    python -m benchmarks.memory --side engine|torch --model mlp|cnn --task train|infer

Same models, data and training loops as ``benchmarks.engine``
(``benchmarks.workloads``): MNIST-shaped float32 random data, plain SGD, MLP batch 128, CNN
batch 64. In each child:

- train: baseline = resident memory (VmRSS) after the imports and the data;
  the peak (VmHWM) is reset there, then ``--steps`` training steps run;
  peak - baseline is the memory the training itself needs (model, gradients,
  optimizer state, activations, scratch buffers, allocator slack).
- infer: baseline = after the imports and the built model; then 300
  one-image predictions (``Model.predict_proba`` vs ``softmax(net(x))`` under
  ``no_grad``).

The peak is reset by writing 5 to /proc/self/clear_refs (Linux). Where that
is not possible the peak is the process's lifetime maximum
(``resource.getrusage``), and the table says so.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import numpy as np

from benchmarks.workloads import MODELS, engine_runner, synthetic_mnist, torch_model, torch_runner

ROOT = Path(__file__).resolve().parent.parent
INFER_CALLS = 300
MARK = "MEMORY-RESULT "  # prefixes the child's one result line on stdout


# -- inside a child --------------------------------------------------------------


def _status_kib() -> dict[str, int]:
    """VmRSS, VmHWM, RssAnon, RssFile in KiB from /proc/self/status; {} where there is no /proc."""
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            out[key] = int(value.split()[0])
    return out


def _maxrss_kib() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB on Linux


def current_kib() -> int:
    gc.collect()
    return _status_kib().get("VmRSS", _maxrss_kib())


def peak_kib() -> int:
    return _status_kib().get("VmHWM", _maxrss_kib())


def reset_peak() -> bool:
    """Start a new peak window (VmHWM := VmRSS); False where the OS does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _predictor(side: str, name: str, image: np.ndarray):
    if side == "engine":
        from playground.engine.model import build_model

        model = build_model(MODELS[name]["spec"], seed=0)
        return lambda: model.predict_proba(image)
    import torch

    torch.manual_seed(0)
    net = torch_model(name).eval()
    xt = torch.from_numpy(np.ascontiguousarray(image.transpose(0, 3, 1, 2)))

    def predict():
        with torch.no_grad():
            return torch.softmax(net(xt), dim=1).numpy()
    return predict


def measure_child(side: str, name: str, task: str, steps: int, samples: int, threads: int) -> dict:
    if side == "torch":
        import torch

        torch.set_num_threads(threads)
    if task == "train":
        data = synthetic_mnist(samples)
        baseline, split = current_kib(), _status_kib()
        resettable = reset_peak()
        _, run = (engine_runner if side == "engine" else torch_runner)(name, data)
        run(steps)
    else:
        image = np.random.default_rng(1).random((1, 28, 28, 1), dtype=np.float32)
        predict = _predictor(side, name, image)
        baseline, split = current_kib(), _status_kib()
        resettable = reset_peak()
        for _ in range(INFER_CALLS):
            predict()
    end = _status_kib()
    # Growth still held at the end, split into heap/buffers and library code
    # pages faulted in on first use (file-backed, shared, cheap to drop).
    grown = {k: end[k] - split[k] for k in ("RssAnon", "RssFile") if k in end and k in split}
    return {"baseline": baseline, "peak": max(peak_kib(), baseline), "reset": resettable, "grown": grown}


# -- the parent ------------------------------------------------------------------


def spawn(side: str, name: str, task: str, steps: int, samples: int, threads: int) -> dict:
    """Run one measurement in a fresh interpreter and return its result dict."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)  # BLAS/OpenMP pools (and their buffers) sized before import
    cmd = [sys.executable, "-m", "benchmarks.memory", "--side", side, "--model", name, "--task", task,
           "--steps", str(steps), "--samples", str(samples), "--threads", str(threads)]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARK)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(cmd[1:])} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return json.loads(lines[-1][len(MARK):])


def measure(models=("mlp", "cnn"), steps: int = 200, samples: int = 60000, threads: int = 1) -> dict:
    """{(task, model): {side: result}}; the torch side is left out when torch is not installed."""
    sides = ["engine"] + (["torch"] if importlib.util.find_spec("torch") else [])
    return {(task, name): {side: spawn(side, name, task, steps, samples, threads) for side in sides}
            for task in ("train", "infer") for name in models}


def _mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def print_report(results: dict, steps: int, samples: int, threads: int) -> None:
    have_torch = any("torch" in r for r in results.values())
    print(f"\nPeak resident memory (MiB), each side in its own fresh process, {threads} thread(s)")
    if not have_torch:
        print("PyTorch is not installed: engine side only (pip install torch, or `make bench`).")
    print("| task | model | batch | engine base | engine peak | engine +task | "
          "PyTorch base | PyTorch peak | PyTorch +task | ratio (+task) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (task, name), sides in results.items():
        label = f"train {steps} steps" if task == "train" else f"infer 1 image x{INFER_CALLS}"
        batch = MODELS[name]["batch"] if task == "train" else 1
        cells = []
        for side in ("engine", "torch"):
            r = sides.get(side)
            cells += ([_mib(r["baseline"]), _mib(r["peak"]), _mib(r["peak"] - r["baseline"])]
                      if r else ["-", "-", "-"])
        e, t = sides["engine"], sides.get("torch")
        ratio = "-"
        if t:
            de, dt = e["peak"] - e["baseline"], t["peak"] - t["baseline"]
            ratio = f"{de / dt:.2f}x" if dt > 0 else "n/a (torch +0)"
        print(f"| {label} | {name} | {batch} | " + " | ".join(cells) + f" | {ratio} |")
    print(f"base: after imports + data ({samples:,} samples, train) or + built model (infer); "
          "peak: VmHWM during the task;\n+task: peak - base, the task's own memory; "
          "ratio: engine +task / PyTorch +task.")
    split = [(task, name, sides) for (task, name), sides in results.items()
             if all(r["grown"] for r in sides.values())]
    if split:
        print("\nOf that, still resident at the end of the task (MiB): anonymous (heap, buffers) / "
              "file-backed (library code faulted in on first use)")
        print("| task | model | engine anon / file | PyTorch anon / file |")
        print("|---|---|---|---|")
        for task, name, sides in split:
            cells = [f"{_mib(r['grown']['RssAnon'])} / {_mib(r['grown']['RssFile'])}" if r else "-"
                     for r in (sides["engine"], sides.get("torch"))]
            print(f"| {task} | {name} | " + " | ".join(cells) + " |")
    if not all(r["reset"] for sides in results.values() for r in sides.values()):
        print("note: the peak could not be reset here, so it is the whole process's maximum.")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--side", choices=("engine", "torch"), help="internal: measure one side in this process")
    ap.add_argument("--model", choices=tuple(MODELS), default="mlp")
    ap.add_argument("--task", choices=("train", "infer"), default="train")
    ap.add_argument("--models", default="mlp,cnn")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--samples", type=int, default=60000)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    if args.side:
        result = measure_child(args.side, args.model, args.task, args.steps, args.samples, args.threads)
        print(MARK + json.dumps(result), flush=True)
        return
    models = tuple(m.strip() for m in args.models.split(",") if m.strip())
    results = measure(models, args.steps, args.samples, args.threads)
    print_report(results, args.steps, args.samples, args.threads)


if __name__ == "__main__":
    main()
