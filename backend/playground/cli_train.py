"""`playground train`: its options, derived from the run configuration, and the run.

Every training option comes from engine/run_config.py (CLI_FIELDS): its name
(``batch_size`` -> ``--batch-size``; a setting on by default -> ``--no-shuffle``),
type, default, choices and help, so the CLI offers what the API offers with the
same defaults. The values are checked by RunConfig itself: a bad one exits
with status 2 and a message naming the option. The spec is checked against the
dataset by the engine's one fit check (engine/fit.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path
from typing import Any

from playground.engine.run_config import CLI_FIELDS, RunConfig, RunConfigError, Setting


class CliError(ValueError):
    """Bad input found by the CLI itself (the engine's errors are ValueErrors too)."""


def option(setting: Setting) -> str:
    """The command-line option of a run setting."""
    flag = setting.name.replace("_", "-")
    return f"--no-{flag}" if setting.kind is bool and setting.default else f"--{flag}"


def add_options(parser: argparse.ArgumentParser) -> None:
    """The run settings as options of ``parser`` (dest = the setting's name)."""
    for s in CLI_FIELDS:
        if s.kind is bool:
            parser.add_argument(option(s), dest=s.name, action="store_false" if s.default else "store_true",
                                help=f"{'turn off: ' if s.default else ''}{s.help}")
            continue
        rule = f"one of {', '.join(s.choices)}" if s.choices else s.describe()
        default = "none" if s.default is None else s.default
        parser.add_argument(option(s), dest=s.name, type=s.kind, default=s.default, choices=s.choices,
                            metavar=None if s.choices else s.name.upper(),
                            help=f"{s.help} ({rule}; default {default})")
    parser.add_argument("--optimizer-param", dest="optimizer_params", action="append", default=[],
                        metavar="NAME=VALUE", help="another optimizer setting, e.g. momentum=0.9 or "
                        "nesterov=true (repeatable)")


def run_config(args: argparse.Namespace) -> RunConfig:
    """The RunConfig of parsed options; CliError naming the option at fault."""
    values: dict[str, Any] = {s.name: getattr(args, s.name) for s in CLI_FIELDS}
    values["optimizer_params"] = dict(_pair(text) for text in args.optimizer_params)
    try:
        return RunConfig.from_dict(values)
    except RunConfigError as exc:
        where = exc.field[0] if exc.field else None
        flag = "--optimizer-param" if where == "optimizer_params" else \
            option(next(s for s in CLI_FIELDS if s.name == where)) if where else "options"
        raise CliError(f"{flag}: {exc.message}") from None


def _pair(text: str) -> tuple[str, float | bool]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise CliError(f"--optimizer-param: give NAME=VALUE, not {text!r}")
    if value.lower() in ("true", "false"):
        return name, value.lower() == "true"
    try:
        return name, float(value)
    except ValueError:
        raise CliError(f"--optimizer-param: {name} must be a number or true/false, not {value!r}") from None


def add_parser(sub: Any) -> None:
    t = sub.add_parser("train", help="train a model spec on a dataset")
    t.add_argument("spec", metavar="SPEC.json")
    t.add_argument("--dataset", required=True, help="mnist, fashion-mnist, circle, xor, gaussian, spiral, ... or FILE.npz")
    t.add_argument("--weights", metavar="IN.npz", help="initial weights")
    add_options(t)
    t.add_argument("--val-split", type=float, default=0.1)
    t.add_argument("--out", metavar="OUT.npz", help="save the trained weights here")
    t.add_argument("--json", action="store_true", help="print one JSON object with the final metrics")
    t.set_defaults(func=cmd_train)


def _load_data(name: str, seed: int, val_split: float) -> Any:
    from playground.engine.data import load_dataset

    if name.endswith(".npz") and not Path(name).is_file():
        raise CliError(f"dataset file {name} not found")
    return load_dataset(name, seed=seed, val_split=val_split)


def _progress(total: int) -> tuple[Any, Any]:
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
            bar.write(f"epoch {event['epoch']}: train {fmt(event['train'])}"
                      + (f", val {fmt(event['val'])}" if event["val"] else ""), file=sys.stderr)
    return bar, on_event


def fmt(m: dict | None) -> str:
    if not m:
        return "-"
    text = f"loss {m['loss']:.4f}" if m.get("loss") is not None else "loss nan"
    return text + (f" accuracy {m['accuracy']:.4f}" if m.get("accuracy") is not None else "")


def _run_interruptible(trainer: Any) -> dict:
    """Run in a worker thread so Ctrl-C stops the run cleanly (evaluated, weights saved)."""
    out: dict = {}

    def target() -> None:
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


def cmd_train(args: argparse.Namespace) -> int:
    from playground.cli import build
    from playground.engine.fit import check_dataset_fit
    from playground.engine.model import save_weights
    from playground.engine.train import Trainer

    cfg = run_config(args)  # before any file is read: a bad option fails at once
    model = build(args.spec, args.weights, seed=cfg.seed)
    ds = _load_data(args.dataset, cfg.seed, args.val_split)
    check_dataset_fit(model.report, args.dataset, ds)
    trainer = Trainer(model, ds, cfg)
    bar, trainer.on_event = _progress(trainer.total_steps)
    try:
        final = _run_interruptible(trainer)
    finally:
        bar.close()
    saved = bool(args.out) and final["status"] != "diverged"
    if saved:
        save_weights(model, args.out)
    _report(final, cfg, args.out if saved else None, args.json)
    if final["status"] == "diverged":
        print(f"playground: {final['message']}", file=sys.stderr)
        return 1
    return 0


def _report(final: dict, cfg: RunConfig, weights: str | None, as_json: bool) -> None:
    test, train, val = final["test"] or {}, final["train"] or {}, final["val"] or {}
    summary = {
        "status": final["status"], "message": final["message"], "steps": final["steps"],
        "epochs": final["epochs"], "seconds": round(final["seconds"], 3),
        "samples_per_s": round(final["steps"] * cfg.batch_size / final["seconds"], 1) if final["seconds"] else None,
        "train_loss": train.get("loss"), "train_accuracy": train.get("accuracy"),
        "val_loss": val.get("loss"), "val_accuracy": val.get("accuracy"),
        "test_loss": test.get("loss"), "test_accuracy": test.get("accuracy"),
        "per_class_accuracy": test.get("per_class_accuracy"), "confusion": test.get("confusion"),
        "weights": weights,
    }
    if as_json:
        print(json.dumps(summary))
        return
    print(f"{summary['status']}: {summary['steps']} steps, {summary['epochs']} epochs "
          f"in {summary['seconds']:.1f} s")
    print(f"train {fmt(train)}")
    if val:
        print(f"val   {fmt(val)}")
    if test:
        print(f"test  {fmt(test)}")
    if weights:
        print(f"weights saved to {weights}")
