"""`playground train`'s options derive from the run configuration
(engine/run_config.py): names, types, defaults, choices; a bad value exits 2
naming the option; epochs=0 with steps behaves as in the API."""

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))

from test_run_config import bad_values  # noqa: E402

from playground import cli  # noqa: E402
from playground.cli_train import option  # noqa: E402
from playground.engine.run_config import CLI_FIELDS, FIELDS  # noqa: E402

SPEC = {"input_shape": [2], "layers": [{"type": "dense", "units": 8, "activation": "tanh"},
                                       {"type": "dense", "units": 2}]}


def train_actions() -> dict[str, argparse.Action]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {a.dest: a for a in sub.choices["train"]._actions}


def test_every_cli_setting_is_an_option_as_defined():
    actions = train_actions()
    for s in CLI_FIELDS:
        a = actions[s.name]
        assert a.option_strings == [option(s)], s.name
        if s.kind is bool:
            assert a.default is s.default and a.const is (not s.default), s.name
            continue
        assert (a.type, a.default) == (s.kind, s.default), s.name
        assert a.choices == s.choices, s.name
        assert s.help in a.help, s.name
    assert {"--optimizer", "--lr-schedule", "--weight-decay", "--steps-per-second", "--threads"} <= {
        a.option_strings[0] for a in actions.values() if a.option_strings}
    for s in FIELDS:
        if not s.cli:
            assert s.name not in actions or s.name == "optimizer_params", s.name


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 2)).astype(np.float32)
    np.savez(tmp_path / "data.npz", x=x, y=(x[:, 0] > 0).astype(np.int64))
    (tmp_path / "spec.json").write_text(json.dumps(SPEC))
    return tmp_path


def cli_bad_values(s) -> list[str]:
    """What a command line can say wrong for ``s``: out of its bounds (RunConfig
    refuses), not a number or not a choice (argparse refuses)."""
    if s.choices:
        return ["no-such-" + s.name]
    out = ["abc"] + (["nan", "inf"] if s.kind is float else ["1.5"])
    out += [str(v) for v in bad_values(s)[-2 if s.high is not None else -1:]
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)]
    return out


def exit_code(argv) -> int:
    try:
        return cli.main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        return int(exc.code)


@pytest.mark.parametrize("setting", [s for s in CLI_FIELDS if s.kind is not bool], ids=lambda s: s.name)
def test_a_bad_value_of_each_option_exits_2_naming_it(files, capsys, setting):
    values = cli_bad_values(setting)
    assert values
    for value in values:
        argv = ["train", str(files / "spec.json"), "--dataset", str(files / "data.npz"), option(setting), value]
        if setting.name != "steps":
            argv += ["--steps", "2"]
        assert exit_code(argv) == 2, (setting.name, value)
        err = capsys.readouterr().err
        assert option(setting) in err and "Traceback" not in err, (value, err)


def test_epochs_0_with_steps_as_in_the_api(files, capsys):
    argv = ["train", str(files / "spec.json"), "--dataset", str(files / "data.npz"), "--json"]
    assert cli.main(argv + ["--epochs", "0", "--steps", "3"]) == 0
    assert json.loads(capsys.readouterr().out)["steps"] == 3
    assert cli.main(argv + ["--epochs", "0"]) == 2
    assert "--epochs: epochs must be >= 1 when steps is not given" in capsys.readouterr().err


def test_optimizer_params_from_the_command_line(files, capsys):
    argv = ["train", str(files / "spec.json"), "--dataset", str(files / "data.npz"), "--steps", "2", "--json"]
    assert cli.main(argv + ["--optimizer", "momentum", "--optimizer-param", "momentum=0.5",
                            "--optimizer-param", "nesterov=true"]) == 0
    capsys.readouterr()
    assert cli.main(argv + ["--optimizer-param", "momentum=0.5"]) == 2
    assert "--optimizer-param: unknown setting 'momentum' for sgd" in capsys.readouterr().err
    assert cli.main(argv + ["--optimizer-param", "momentum"]) == 2
    assert "NAME=VALUE" in capsys.readouterr().err
