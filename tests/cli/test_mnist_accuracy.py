"""The MNIST accuracy targets of the engine issue, through the real CLI on real data.

MLP 784-256-128-10 >= 97.5% and the LeNet-like CNN >= 98.5% test accuracy,
each within 2 epochs (examples/mlp.json, examples/lenet.json). Needs the MNIST
IDX files under PLAYGROUND_DATA_DIR (the Makefile points it at ../shared/data);
skipped when they are not there, so the test never downloads.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _mnist_dir() -> Path | None:
    data_dir = os.environ.get("PLAYGROUND_DATA_DIR")
    if not data_dir:
        return None
    folder = Path(data_dir) / "mnist"
    ok = all((folder / f).is_file() or (folder / f"{f}.gz").is_file() for f in FILES)
    return folder if ok else None


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(_mnist_dir() is None, reason="MNIST IDX files not found under PLAYGROUND_DATA_DIR/mnist"),
]

# Two CLI calls of one epoch each: Adam at a higher learning rate, then from
# those weights (--weights) at a 10x lower one with a fresh batch order. A
# constant rate ends 2 epochs in the noise of its last steps: measured over
# seeds it lands on both sides of the targets (MLP 97.2-97.7%, CNN 98.4-98.6%),
# while this schedule clears them (seeds 0-2: MLP 97.9-98.1%, CNN 98.7-98.9%).
# The MLP's small matmuls gain nothing from a second BLAS thread and, on a
# busy machine, lose 10x to thread hand-offs (PERF_NOTES), so it gets one.
CASES = {
    "mlp": ("0.003", "0.0003", 0.975, {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}),
    "lenet": ("0.003", "0.0003", 0.985, {}),
}


def train(spec: Path, lr: str, seed: int, out: Path, env: dict, weights: Path | None = None) -> dict:
    cmd = [sys.executable, "-m", "playground.cli", "train", str(spec), "--dataset", "mnist",
           "--epochs", "1", "--optimizer", "adam", "--lr", lr, "--batch-size", "64",
           "--val-split", "0", "--seed", str(seed), "--out", str(out), "--json"]
    if weights is not None:
        cmd += ["--weights", str(weights)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, **env})
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["status"] == "finished" and summary["epochs"] == 1 and summary["steps"] == 938
    return summary


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", list(CASES))
def test_mnist_accuracy_within_two_epochs(name, tmp_path):
    lr1, lr2, target, env = CASES[name]
    spec = ROOT / "examples" / f"{name}.json"
    first = train(spec, lr1, 0, tmp_path / "epoch1.npz", env)
    second = train(spec, lr2, 1, tmp_path / "epoch2.npz", env, weights=tmp_path / "epoch1.npz")
    seconds = first["seconds"] + second["seconds"]
    print(f"{name}: test accuracy {first['test_accuracy']:.4f} after epoch 1, "
          f"{second['test_accuracy']:.4f} after epoch 2; {seconds:.1f} s training")
    assert second["test_accuracy"] >= target
