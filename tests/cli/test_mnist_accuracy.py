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

# One CLI call of 2 epochs: Adam with the learning rate decayed by a cosine
# schedule to 0. A constant rate ends 2 epochs in the noise of its last steps
# and lands on both sides of the targets over seeds (MLP 97.2-97.7%, CNN
# 98.4-98.6%); decayed, seeds 0-2 gave MLP 97.9-98.2% and CNN 98.7-98.8%.
# The MLP's small matmuls gain nothing from a second BLAS thread and, on a
# busy machine, lose 10x to thread hand-offs, so it gets one.
CASES = {
    "mlp": ("0.003", 0.975, {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}),
    "lenet": ("0.003", 0.985, {}),
}


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", list(CASES))
def test_mnist_accuracy_within_two_epochs(name, tmp_path):
    lr, target, env = CASES[name]
    spec = ROOT / "examples" / f"{name}.json"
    cmd = [sys.executable, "-m", "playground.cli", "train", str(spec), "--dataset", "mnist",
           "--epochs", "2", "--optimizer", "adam", "--lr", lr, "--lr-schedule", "cosine",
           "--batch-size", "64", "--val-split", "0", "--seed", "0",
           "--out", str(tmp_path / "weights.npz"), "--json"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env={**os.environ, **env})
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["status"] == "finished" and summary["epochs"] == 2 and summary["steps"] == 2 * 938
    print(f"{name}: test accuracy {summary['test_accuracy']:.4f} after 2 epochs; "
          f"{summary['seconds']:.1f} s training")
    assert summary["test_accuracy"] >= target
    assert (tmp_path / "weights.npz").is_file()


def _fast_cnn_command() -> list[str]:
    """The one-line command of examples/README.md, split like a shell would."""
    import shlex

    lines = (ROOT / "examples" / "README.md").read_text().splitlines()
    found = [ln for ln in lines if ln.startswith("playground train examples/fast_cnn.json")]
    assert len(found) == 1, "examples/README.md gives the fast-CNN command on one line"
    return shlex.split(found[0])


@pytest.mark.timeout(900)
def test_fast_cnn_preset_reaches_99_percent_with_the_documented_command():
    # The README's line, run as written from the checkout root, plus a seed at its end.
    cmd = [sys.executable, "-m", "playground.cli", *_fast_cnn_command()[1:], "--json", "--seed", "1"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=800, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    print(f"fast_cnn: test accuracy {summary['test_accuracy']:.4f}; {summary['seconds']:.1f} s training")
    assert summary["status"] == "finished" and summary["epochs"] == 4
    assert summary["test_accuracy"] >= 0.99
