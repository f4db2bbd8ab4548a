"""Tests for the `playground` command (playground.cli) on tiny synthetic data."""

import json
import subprocess
import sys

import numpy as np
import pytest
from cli_helpers import expect_error

from playground import cli
from playground.engine.losses import softmax_cross_entropy
from playground.engine.model import build_model, load_weights, save_weights

SPEC = {"input_shape": [4],
        "layers": [{"type": "dense", "units": 8, "activation": "relu"}, {"type": "dense", "units": 3}],
        "loss": "softmax_cross_entropy"}
IMAGE_SPEC = {"input_shape": [28, 28, 1],
              "layers": [{"type": "flatten"}, {"type": "dense", "units": 10}],
              "loss": "softmax_cross_entropy"}


def run_cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "playground.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def files(tmp_path):
    """spec.json, a learnable 3-class data.npz (with a test set) and input.npz."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)).astype(np.float32)
    y = np.argmax(x[:, :3], axis=1).astype(np.int64)
    xt = rng.normal(size=(60, 4)).astype(np.float32)
    (tmp_path / "spec.json").write_text(json.dumps(SPEC))
    np.savez(tmp_path / "data.npz", x=x, y=y, x_test=xt, y_test=np.argmax(xt[:, :3], axis=1))
    np.savez(tmp_path / "input.npz", x=xt[:5])
    return tmp_path


def test_train_json_then_predict_json(files):
    out = files / "out.npz"
    r = run_cli("train", files / "spec.json", "--dataset", files / "data.npz", "--epochs", 15,
                "--batch-size", 32, "--optimizer", "adam", "--lr", 0.01, "--out", out, "--json")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["status"] == "finished" and summary["steps"] == 15 * 9  # 270 train rows / 32
    assert summary["test_accuracy"] > 0.8 and summary["test_loss"] > 0 and summary["seconds"] > 0
    assert len(summary["confusion"]) == 3 and out.is_file()

    r = run_cli("predict", files / "spec.json", out, files / "input.npz", "--json")
    assert r.returncode == 0, r.stderr
    pred = json.loads(r.stdout)
    p = np.array(pred["probabilities"])
    assert p.shape == (5, 3) and np.allclose(p.sum(axis=1), 1, atol=1e-5)
    model = load_weights(SPEC, out)
    assert pred["predictions"] == model.predict(np.load(files / "input.npz")["x"]).tolist()

    r = run_cli("predict", files / "spec.json", out, files / "input.npz")
    assert r.returncode == 0 and r.stdout.count("sample ") == 5


def test_no_shuffle_first_step_trains_on_first_rows(files):
    """--no-shuffle --val-split 0 --steps 1: the update is one SGD step on rows [0, B)."""
    B, lr = 16, 0.5
    start = build_model(SPEC, seed=3)
    save_weights(start, files / "start.npz")
    r = run_cli("train", files / "spec.json", "--dataset", files / "data.npz", "--weights", files / "start.npz",
                "--steps", 1, "--batch-size", B, "--optimizer", "sgd", "--lr", lr, "--no-shuffle",
                "--val-split", 0, "--out", files / "after.npz", "--json")
    assert r.returncode == 0, r.stderr
    with np.load(files / "data.npz") as f:
        x, y = f["x"], f["y"]
    loss = softmax_cross_entropy(start(x[:B], training=True), y[:B])
    loss.backward()
    after = load_weights(SPEC, files / "after.npz").state_dict()
    for key, t in start.named_parameters():
        np.testing.assert_allclose(after[key], t.data - lr * t.grad, rtol=1e-5, atol=1e-6, err_msg=key)


def test_predict_png_is_preprocessed_like_mnist(tmp_path):
    from PIL import Image, ImageDraw

    img = Image.new("L", (90, 120), 255)  # dark ink on white paper, off-centre, any size
    ImageDraw.Draw(img).line([(30, 20), (40, 100)], fill=0, width=9)
    img.save(tmp_path / "digit.png")
    (tmp_path / "spec.json").write_text(json.dumps(IMAGE_SPEC))
    save_weights(build_model(IMAGE_SPEC, seed=0), tmp_path / "w.npz")
    code = ("import json, sys; from playground import cli; rc = cli.main(sys.argv[1:]);"
            "print(json.dumps(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules)));"
            "sys.exit(rc)")
    r = subprocess.run([sys.executable, "-c", code, "predict", tmp_path / "spec.json", tmp_path / "w.npz",
                        tmp_path / "digit.png", "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    pred_line, web_modules = r.stdout.strip().splitlines()
    pred = json.loads(pred_line)
    assert len(pred["probabilities"]) == 1 and len(pred["probabilities"][0]) == 10
    assert abs(sum(pred["probabilities"][0]) - 1) < 1e-5 and 0 <= pred["predictions"][0] < 10
    assert json.loads(web_modules) == []  # predict never loads the web stack


def test_bad_input_exits_2_with_one_line(files, capsys):
    spec, data = files / "spec.json", files / "data.npz"
    (files / "bad.json").write_text("{not json")
    (files / "badspec.json").write_text(json.dumps({**SPEC, "layers": [{"type": "dense", "units": -1}]}))
    (files / "image.json").write_text(json.dumps(IMAGE_SPEC))
    save_weights(build_model(IMAGE_SPEC, seed=0), files / "image_w.npz")
    save_weights(build_model(SPEC, seed=0), files / "w.npz")
    np.savez(files / "wrong_x.npz", x=np.zeros((2, 5), np.float32))
    np.savez(files / "no_x.npz", z=np.zeros(3))

    expect_error(capsys, ["train", files / "missing.json", "--dataset", data], "missing.json")
    expect_error(capsys, ["train", files / "bad.json", "--dataset", data], "bad.json", "JSON")
    expect_error(capsys, ["train", files / "badspec.json", "--dataset", data], "layer 0")
    expect_error(capsys, ["train", spec, "--dataset", "no-such-set"], "no-such-set")
    expect_error(capsys, ["train", spec, "--dataset", files / "gone.npz"], "gone.npz")
    expect_error(capsys, ["train", spec, "--dataset", "circle"], "circle", "[2]")
    expect_error(capsys, ["train", spec, "--dataset", data, "--weights", files / "image_w.npz"], "layers.0.weight")
    expect_error(capsys, ["train", spec, "--dataset", data, "--lr", -1], "--lr", "(0, 100]")
    expect_error(capsys, ["predict", spec, files / "image_w.npz", files / "input.npz"], "layers.0.weight")
    expect_error(capsys, ["predict", spec, files / "w.npz", files / "nothing.npz"], "nothing.npz")
    expect_error(capsys, ["predict", spec, files / "w.npz", files / "wrong_x.npz"], "(2, 5)")
    expect_error(capsys, ["predict", spec, files / "w.npz", files / "no_x.npz"], "'x'")
    expect_error(capsys, ["predict", spec, files / "w.npz", files / "bad.json"], "image")
    expect_error(capsys, ["predict", files / "image.json", files / "image_w.npz", files / "bad.json"], "bad.json")


def test_process_exit_code_and_usage_errors(files):
    r = run_cli("train", files / "spec.json", "--dataset", "no-such-set")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "no-such-set" in r.stderr
    assert r.stdout == ""
    r = run_cli("train", files / "spec.json", "--dataset", "circle", "--epochs", 0)
    assert r.returncode == 2 and "--epochs: epochs must be >= 1 when steps is not given" in r.stderr
    r = run_cli("train", files / "spec.json", "--dataset", files / "data.npz", "--batch-size", "x")
    assert r.returncode == 2 and "--batch-size" in r.stderr and "invalid int" in r.stderr


def test_diverged_run_exits_1(files, capsys):
    rc = cli.main(["train", str(files / "spec.json"), "--dataset", str(files / "data.npz"),
                   "--lr", "100", "--epochs", "10", "--json"])
    out, err = capsys.readouterr()
    assert rc == 1 and json.loads(out)["status"] == "diverged" and "learning rate" in err


def test_serve_defaults_and_lazy_web_imports():
    args = cli.build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.func) == ("127.0.0.1", 8000, cli.cmd_serve)
    code = "import sys, playground.cli; print(any(m in sys.modules for m in ('fastapi', 'uvicorn', 'tqdm', 'PIL')))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "False", r.stderr
