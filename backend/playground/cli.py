"""The `playground` command: serve | train | predict | export.

    playground serve [--host 127.0.0.1] [--port 8000]
    playground train SPEC.json --dataset mnist|fashion-mnist|circle|...|FILE.npz [options] [--json]
    playground predict SPEC.json WEIGHTS.npz INPUT.png|INPUT.npz [--json]
    playground export SPEC.json WEIGHTS.npz --format onnx|pytorch --out PATH

`train` and `predict` use the engine only; the web stack (uvicorn, FastAPI)
is imported inside `serve` and PIL inside `predict` for image inputs, so the
engine commands start fast and work without them. Bad input (missing or
malformed files, a bad spec, weights that do not fit, an unknown dataset)
prints one line on stderr and exits with status 2; a diverged run exits 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from pathlib import Path

import numpy as np

from playground.export import FORMATS

USAGE_ERROR = 2


class CliError(ValueError):
    """Bad input found by the CLI itself (the engine's errors are ValueErrors too)."""


def _read_spec(path: str) -> dict:
    try:
        text = Path(path).read_text()
    except FileNotFoundError:
        raise CliError(f"spec file {path} not found") from None
    try:
        spec = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CliError(f"spec file {path} is not valid JSON: {exc}") from None
    if not isinstance(spec, dict):
        raise CliError(f"spec file {path} must hold a JSON object")
    return spec


def _build(spec_path: str, weights: str | None, seed: int = 0):
    from playground.engine.model import build_model, load_weights

    model = build_model(_read_spec(spec_path), seed=seed)
    if weights is not None:
        if not Path(weights).is_file():
            raise CliError(f"weights file {weights} not found")
        load_weights(model, weights)
    return model


# -- train --------------------------------------------------------------------

def _load_data(name: str, seed: int, val_split: float):
    from playground.engine.data import load_dataset

    if name.endswith(".npz") and not Path(name).is_file():
        raise CliError(f"dataset file {name} not found")
    return load_dataset(name, seed=seed, val_split=val_split, cache_dir=os.environ.get("PLAYGROUND_CACHE_DIR") or None)


def _check_fit(model, ds, name: str) -> None:
    got = tuple(ds.x_train.shape[1:])
    if got != tuple(model.input_shape):
        raise CliError(f"dataset {name} has inputs of shape {got} but the spec takes {tuple(model.input_shape)}")
    if model.loss == "softmax_cross_entropy":
        k = int(np.prod(model.report.output_shape))
        top = int(max(ds.y_train.max(initial=0), ds.y_test.max(initial=0)))
        if top >= k:
            raise CliError(f"dataset {name} has labels up to {top} but the model has {k} outputs")


def _progress(total: int):
    """A tqdm bar on stderr (off when stderr is not a terminal) fed by step events."""
    from tqdm import tqdm

    bar = tqdm(total=total, unit="step", file=sys.stderr, disable=None, mininterval=0.25)

    def on_event(event: dict) -> None:
        kind = event["type"]
        if kind == "step":
            bar.update(event["step"] - bar.n)
            if event["step"] % 50 == 0:
                acc = event["accuracy"]
                bar.set_postfix(loss=f"{event['loss']:.4f}",
                                **({"acc": f"{acc:.3f}"} if acc is not None else {}), refresh=False)
        elif kind == "epoch":
            bar.write(f"epoch {event['epoch']}: train {_fmt(event['train'])}"
                      + (f", val {_fmt(event['val'])}" if event["val"] else ""), file=sys.stderr)
    return bar, on_event


def _fmt(m: dict | None) -> str:
    if not m:
        return "-"
    text = f"loss {m['loss']:.4f}" if m.get("loss") is not None else "loss nan"
    return text + (f" accuracy {m['accuracy']:.4f}" if m.get("accuracy") is not None else "")


def _run_interruptible(trainer) -> dict:
    """Run in a worker thread so Ctrl-C stops the run cleanly (evaluated, weights saved)."""
    out: dict = {}

    def target():
        try:
            out["final"] = trainer.run()
        except BaseException as exc:  # re-raised in the main thread
            out["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    while thread.is_alive():
        try:
            thread.join(0.2)
        except KeyboardInterrupt:
            print("\nstopping (Ctrl-C again to abort)...", file=sys.stderr)
            trainer.stop()
            thread.join()
    if "error" in out:
        raise out["error"]
    return out["final"]


def cmd_train(args) -> int:
    from playground.engine.model import save_weights
    from playground.engine.train import TrainConfig, Trainer

    model = _build(args.spec, args.weights, seed=args.seed)
    ds = _load_data(args.dataset, args.seed, args.val_split)
    _check_fit(model, ds, args.dataset)
    cfg = TrainConfig(epochs=1 if args.epochs is None else args.epochs, steps=args.steps, batch_size=args.batch_size,
                      optimizer=args.optimizer, lr=args.lr, lr_schedule=args.lr_schedule,
                      shuffle=not args.no_shuffle, seed=args.seed, threads=args.threads)
    trainer = Trainer(model, ds, cfg)
    bar, trainer.on_event = _progress(trainer.total_steps)
    try:
        final = _run_interruptible(trainer)
    finally:
        bar.close()
    if args.out and final["status"] != "diverged":
        save_weights(model, args.out)
    test, train, val = final["test"] or {}, final["train"] or {}, final["val"] or {}
    summary = {
        "status": final["status"], "message": final["message"], "steps": final["steps"],
        "epochs": final["epochs"], "seconds": round(final["seconds"], 3),
        "samples_per_s": round(final["steps"] * cfg.batch_size / final["seconds"], 1) if final["seconds"] else None,
        "train_loss": train.get("loss"), "train_accuracy": train.get("accuracy"),
        "val_loss": val.get("loss"), "val_accuracy": val.get("accuracy"),
        "test_loss": test.get("loss"), "test_accuracy": test.get("accuracy"),
        "per_class_accuracy": test.get("per_class_accuracy"), "confusion": test.get("confusion"),
        "weights": args.out if args.out and final["status"] != "diverged" else None,
    }
    if args.json:
        print(json.dumps(summary))
    else:
        print(f"{summary['status']}: {summary['steps']} steps, {summary['epochs']} epochs "
              f"in {summary['seconds']:.1f} s")
        print(f"train {_fmt(train)}")
        if val:
            print(f"val   {_fmt(val)}")
        if test:
            print(f"test  {_fmt(test)}")
        if summary["weights"]:
            print(f"weights saved to {summary['weights']}")
    if final["status"] == "diverged":
        print(f"playground: {final['message']}", file=sys.stderr)
        return 1
    return 0


# -- predict ------------------------------------------------------------------

def _read_input(path: str, input_shape: tuple) -> np.ndarray:
    """A batch shaped (N, *input_shape) from an .npz (key `x`) or an image file."""
    if not Path(path).is_file():
        raise CliError(f"input file {path} not found")
    if path.lower().endswith(".npz"):
        try:
            with np.load(path, allow_pickle=False) as f:
                if "x" not in f.files:
                    raise CliError(f"input file {path} has no array 'x' (it has: {', '.join(f.files) or 'none'})")
                x = f["x"]
        except ValueError as exc:
            raise CliError(f"input file {path}: {exc}") from None
        if x.dtype.kind not in "biuf":
            raise CliError(f"input file {path}: 'x' must hold numbers, got dtype {x.dtype}")
        x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
        # Accept one sample, and images without their channel axis of 1.
        for shape in (input_shape, input_shape[:-1] if input_shape[-1:] == (1,) else None):
            if shape and x.shape[1:] == shape:
                return x.reshape((len(x),) + input_shape)
            if shape and x.shape == shape:
                return x.reshape((1,) + input_shape)
        raise CliError(f"input file {path}: 'x' has shape {x.shape}, expected (N, {', '.join(map(str, input_shape))})")
    if len(input_shape) != 3 or input_shape[2] != 1 or input_shape[0] != input_shape[1]:
        raise CliError(f"an image input needs a model taking square grey images (H, H, 1); this spec takes {input_shape}")
    from PIL import Image, UnidentifiedImageError

    from playground.viz.images import preprocess_digit

    try:
        with Image.open(path) as img:
            img.load()
            size = input_shape[0]
            digit = preprocess_digit(img, size=size, box=max(1, round(size * 20 / 28)))
    except (UnidentifiedImageError, OSError) as exc:
        raise CliError(f"input file {path} is not a readable image ({exc})") from None
    return digit.reshape((1,) + input_shape).astype(np.float32)


def cmd_predict(args) -> int:
    model = _build(args.spec, args.weights)
    x = _read_input(args.input, tuple(model.input_shape))
    proba = model.predict_proba(x)
    if model.loss == "mse":
        result = {"probabilities": None, "predictions": proba.tolist()}
    else:
        if model.loss == "binary_cross_entropy":  # one sigmoid -> [P(class 0), P(class 1)]
            p1 = proba.reshape(len(x), -1)[:, :1]
            proba = np.concatenate([1.0 - p1, p1], axis=1)
        result = {"probabilities": proba.tolist(), "predictions": proba.argmax(axis=1).tolist()}
    if args.json:
        print(json.dumps(result))
        return 0
    for i, row in enumerate(result["probabilities"] or result["predictions"]):
        if result["probabilities"] is None:
            print(f"sample {i}: output {row}")
            continue
        pred = result["predictions"][i]
        probs = " ".join(f"{k}:{p:.3f}" for k, p in enumerate(row))
        print(f"sample {i}: predicted {pred} (p={row[pred]:.3f})  [{probs}]")
    return 0


# -- export -------------------------------------------------------------------

def cmd_export(args) -> int:
    from playground.export import MissingDependency, export_model

    model = _build(args.spec, args.weights)
    try:
        data = export_model(model, args.format)
    except MissingDependency as exc:
        raise CliError(exc.message) from None
    out = Path(args.out)
    if out.is_dir():
        raise CliError(f"--out {out} is a directory; give a file name")
    out.write_bytes(data)
    print(f"{args.format} export of {args.spec} written to {out} ({len(data):,} bytes)")
    return 0


# -- serve --------------------------------------------------------------------

def cmd_serve(args) -> int:
    import uvicorn

    # The app factory reads its settings from the environment: it must know the
    # bind (a non-loopback bind defaults to tokens mode) and the port (teacher link).
    os.environ["PLAYGROUND_HOST"] = args.host
    os.environ["PLAYGROUND_PORT"] = str(args.port)
    # Clients only send small control messages over the websocket; a 64 KiB cap
    # refuses a flood before it is read into memory (uvicorn's default is 16 MiB).
    uvicorn.run("playground.api.app:create_app", factory=True, host=args.host, port=args.port,
                ws_max_size=65536)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="playground", description="NN Playground: train and inspect neural networks.")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="start the web playground")
    s.add_argument("--host", default=os.environ.get("PLAYGROUND_HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=int(os.environ.get("PLAYGROUND_PORT", "8000")))
    s.set_defaults(func=cmd_serve)

    t = sub.add_parser("train", help="train a model spec on a dataset")
    t.add_argument("spec", metavar="SPEC.json")
    t.add_argument("--dataset", required=True, help="mnist, fashion-mnist, circle, xor, gaussian, spiral, ... or FILE.npz")
    t.add_argument("--weights", metavar="IN.npz", help="initial weights")
    length = t.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=int, default=None, help="passes over the training set (default 1)")
    length.add_argument("--steps", type=int, default=None)
    t.add_argument("--batch-size", type=int, default=64)
    t.add_argument("--optimizer", choices=["sgd", "momentum", "adam"], default="sgd")
    t.add_argument("--lr", type=float, default=0.01)
    t.add_argument("--lr-schedule", choices=["constant", "step", "cosine"], default="constant",
                   help="how lr decays over the run (cosine: from lr down to 0)")
    t.add_argument("--val-split", type=float, default=0.1)
    t.add_argument("--no-shuffle", action="store_true", help="batches in file order")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int, default=1,
                   help="split each batch over this many threads, one BLAS thread each (default 1)")
    t.add_argument("--out", metavar="OUT.npz", help="save the trained weights here")
    t.add_argument("--json", action="store_true", help="print one JSON object with the final metrics")
    t.set_defaults(func=cmd_train)

    r = sub.add_parser("predict", help="class probabilities for an image or an .npz batch")
    r.add_argument("spec", metavar="SPEC.json")
    r.add_argument("weights", metavar="WEIGHTS.npz")
    r.add_argument("input", metavar="INPUT", help=".png (or other image) of a digit, or .npz with a batch under 'x'")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_predict)

    e = sub.add_parser("export", help="write a model as ONNX or as PyTorch source + safetensors weights")
    e.add_argument("spec", metavar="SPEC.json")
    e.add_argument("weights", metavar="WEIGHTS.npz")
    e.add_argument("--format", required=True, choices=FORMATS,
                   help="onnx: one .onnx file (NHWC input, softmax output); pytorch: a zip of model.py, "
                        "weights.safetensors and a README")
    e.add_argument("--out", required=True, metavar="PATH", help="file to write (.onnx or .zip)")
    e.set_defaults(func=cmd_export)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, OSError) as exc:  # every engine input error is a ValueError subclass
        message = " ".join(str(exc).split())  # one line, whatever the exception held
        print(f"playground {args.command}: error: {message}", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
