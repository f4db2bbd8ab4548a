"""Each vocabulary is defined once and reaches the page in its bootstrap data.

The bootstrap (and GET /api/vocabularies) carry the engine's and the run
manager's own tables; no JS file, template or Python module outside the
defining ones spells a list out again (a copy is how runControl.js came to
leave out "interrupted").
"""
from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from playground.api.vocabularies import vocabularies
from playground.engine import im2col, init, ops
from playground.engine.layers import ACTIVATIONS, LAYERS, activate
from playground.engine.optim import OPTIMIZERS
from playground.engine.schedules import LR_SCHEDULES
from playground.engine.tensor import Tensor
from playground.runs.protocol import ACTIVE, STATUSES, TERMINAL
from playground.viz.labs.activations import NAMES as LAB_ACTIVATIONS
from playground.viz.labs.conv_lab import POOL_MODES
from playground.viz.labs.perceptron import DATASETS as PERCEPTRON_DATASETS
from playground.viz.labs.vectorize import OPERATIONS as VECTOR_OPERATIONS

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "backend" / "playground"
FRONTEND = ROOT / "frontend"


def _engine_tables() -> dict:
    """Every vocabulary, read straight from the table that defines it."""
    return {
        "activations": list(ops.ACTIVATIONS),
        "paddings": list(im2col.PADDINGS),
        "layer_types": list(LAYERS),
        "pool_types": [name for name, t in LAYERS.items() if t.category == "pooling"],
        "weighted_types": [name for name, t in LAYERS.items() if t.category == "weights"],
        "initializers": list(init.INITIALIZERS),
        "optimizers": [{"name": name, "label": cls.__name__,
                        "settings": {k: default for k, (default, _) in cls.SETTINGS.items()}}
                       for name, cls in OPTIMIZERS.items()],
        "lr_schedules": list(LR_SCHEDULES),
        "run_statuses": {"all": list(STATUSES), "active": list(ACTIVE), "terminal": list(TERMINAL)},
        "lab_activations": list(LAB_ACTIVATIONS),
        "lab_pool_modes": list(POOL_MODES),
        "lab_perceptron_datasets": list(PERCEPTRON_DATASETS),
        "lab_vector_operations": list(VECTOR_OPERATIONS),
    }


def _bootstrap(client) -> dict:
    html = client.get("/").text
    found = re.search(r'<script type="application/json" id="bootstrap">(.*?)</script>', html, re.S)
    assert found, "no bootstrap script in the page"
    return json.loads(found.group(1))


def test_bootstrap_carries_each_vocabulary_equal_to_the_engines(client):
    tables = _engine_tables()
    boot = _bootstrap(client)["vocabularies"]
    assert boot == tables
    assert client.get("/api/vocabularies").json() == tables
    assert "interrupted" in boot["run_statuses"]["terminal"]
    assert set(boot["run_statuses"]["all"]) == set(boot["run_statuses"]["active"]) | set(boot["run_statuses"]["terminal"])
    # The class page reads the same bootstrap.
    assert _bootstrap(client)["vocabularies"] == tables


def test_the_node_tests_fixture_is_the_servers():
    fixture = json.loads((ROOT / "tests" / "frontend" / "vocabularies.json").read_text())
    assert fixture == vocabularies().model_dump() == _engine_tables()


def test_activate_refuses_an_unknown_name():
    x = Tensor([[-1.0, 2.0]])
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        activate(x, "softplus")
    assert set(ACTIVATIONS) == set(ops.ACTIVATIONS)
    for name in ACTIVATIONS:  # every name the catalog offers is one activate() knows
        assert activate(x, name).shape == (1, 2)


# --- no copies ----------------------------------------------------------------------

def _vocabularies_to_scan() -> dict[str, set[str]]:
    v = vocabularies()
    return {
        "activations": set(v.activations), "paddings": set(v.paddings), "layer types": set(v.layer_types),
        "initializers": set(v.initializers), "optimizers": {o.name for o in v.optimizers},
        "lr schedules": set(v.lr_schedules), "run statuses": set(v.run_statuses.all),
        "pool modes": set(v.lab_pool_modes), "perceptron sets": set(v.lab_perceptron_datasets),
        "vector operations": set(v.lab_vector_operations),
    }


def _copies(values: list[str]) -> list[str]:
    """The vocabularies a literal list copies: all of one, or three or more of its names."""
    out = []
    for name, words in _vocabularies_to_scan().items():
        hits = set(values) & words
        if hits == words or len(hits) >= 3:
            out.append(f"{name} {sorted(hits)}")
    return out


STRING = r"""(?:"[^"\n]*"|'[^'\n]*')"""
JS_LIST = re.compile(rf"\[\s*{STRING}(?:\s*,\s*{STRING})+\s*,?\s*\]")


def test_no_js_file_spells_out_a_vocabulary():
    found = []
    for path in sorted((FRONTEND / "static" / "js").rglob("*.js")):
        for match in JS_LIST.finditer(path.read_text()):
            values = [s[1:-1] for s in re.findall(STRING, match.group(0))]
            for copy in _copies(values):
                found.append(f"{path.relative_to(ROOT)}: {match.group(0)[:80]} copies {copy}")
    assert not found, "ask vocab.js instead:\n" + "\n".join(found)


def test_no_template_lists_a_vocabulary_as_options():
    found = []
    for path in sorted((FRONTEND / "templates").glob("*.html")):
        for select in re.finditer(r"<select\b[^>]*>(.*?)</select>", path.read_text(), re.S):
            values = re.findall(r'<option[^>]*\bvalue="([^"]*)"', select.group(1))
            found += [f"{path.name}: {select.group(0)[:60]} copies {c}" for c in _copies(values)]
    assert not found, 'use <select data-vocab="..."> (vocab.js fills it):\n' + "\n".join(found)


# Where a vocabulary is defined (or a lab's own subset of one; the expression
# lab's function names are a language of their own), and copies in
# files other engineers own at the time of writing (issue 7): engine/model.py
# and engine/fast/plan.py's pool types.
DEFINED_HERE = {"engine/im2col.py", "engine/layers.py", "runs/protocol.py", "viz/labs/activations.py",
                "viz/labs/expression.py", "viz/labs/perceptron.py", "viz/labs/vectorize.py"}
OWNED_ELSEWHERE = {"engine/model.py", "engine/fast/plan.py"}


def test_no_python_module_spells_out_a_vocabulary():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in DEFINED_HERE | OWNED_ELSEWHERE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and len(node.elts) > 1 and all(
                    isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
                values = [e.value for e in node.elts]  # type: ignore[attr-defined]
                found += [f"{rel}:{node.lineno} copies {c}" for c in _copies(values)]
    assert not found, "import the defining table instead:\n" + "\n".join(found)
