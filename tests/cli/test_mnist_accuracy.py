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

# Adam reaches the targets within 2 epochs with margin (see the report of the
# issue for the measured figures); the seed fixes init and batch order.
CASES = {
    "mlp": (["--optimizer", "adam", "--lr", "0.002", "--batch-size", "64"], 0.975),
    "lenet": (["--optimizer", "adam", "--lr", "0.002", "--batch-size", "64"], 0.985),
}


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", list(CASES))
def test_mnist_accuracy_within_two_epochs(name, tmp_path):
    args, target = CASES[name]
    cmd = [sys.executable, "-m", "playground.cli", "train", str(ROOT / "examples" / f"{name}.json"),
           "--dataset", "mnist", "--epochs", "2", "--val-split", "0", "--seed", "0",
           "--out", str(tmp_path / "w.npz"), "--json", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    print(f"{name}: test accuracy {summary['test_accuracy']:.4f} in {summary['seconds']:.1f} s "
          f"({summary['samples_per_s']:.0f} samples/s)")
    assert summary["epochs"] == 2 and summary["steps"] == 2 * 938
    assert summary["test_accuracy"] >= target
    assert (tmp_path / "w.npz").is_file()
