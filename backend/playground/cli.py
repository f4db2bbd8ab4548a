"""The `playground` command: serve | train | predict | export.

    playground serve [--host 127.0.0.1] [--port 8000]
    playground train SPEC.json --dataset mnist|fashion-mnist|circle|...|FILE.npz [options] [--json]
    playground predict SPEC.json WEIGHTS.npz INPUT.png|INPUT.npz [--json]
    playground export SPEC.json WEIGHTS.npz --format onnx|pytorch --out PATH

`train` (cli_train.py, its options derived from engine/run_config.py) and
`predict` use the engine only; the web stack (uvicorn, FastAPI)
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
from pathlib import Path

import numpy as np

from playground.cli_train import CliError
from playground.cli_train import add_parser as add_train_parser
from playground.export import FORMATS

USAGE_ERROR = 2


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


def build(spec_path: str, weights: str | None, seed: int = 0):
    from playground.engine.model import build_model, load_weights

    model = build_model(_read_spec(spec_path), seed=seed)
    if weights is not None:
        if not Path(weights).is_file():
            raise CliError(f"weights file {weights} not found")
        load_weights(model, weights)
    return model


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
    model = build(args.spec, args.weights)
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

    model = build(args.spec, args.weights)
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

    add_train_parser(sub)  # cli_train.py: options derived from the run configuration

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
