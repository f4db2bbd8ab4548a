"""POST /api/labs/graph: every example's values and gradients against the
engine's Tensor and central differences, fan-out parts, forward mode, and bad
expressions answered with a 422 that carries the position."""

from __future__ import annotations

import math

import numpy as np
import pytest

from playground.engine import ops
from playground.engine.tensor import Tensor
from playground.viz.labs.graph import EXAMPLES

# Each example written by hand against the engine (not through the lab's parser).
DIRECT = {
    "x*x + x": lambda v: v["x"] * v["x"] + v["x"],
    "tanh(w*x + b)": lambda v: ops.tanh(v["w"] * v["x"] + v["b"]),
    "sigmoid(x)*x - 2/x": lambda v: ops.sigmoid(v["x"]) * v["x"] - 2 / v["x"],
    "exp(x)*sin(x)": lambda v: ops.exp(v["x"]) * ops.sin(v["x"]),
    "log(1 + exp(a*x)) - b**2": lambda v: ops.log(1 + ops.exp(v["a"] * v["x"])) - v["b"] ** 2,
    "relu(w1*x) * w2 + (w1 - w2)**2": lambda v: ops.relu(v["w1"] * v["x"]) * v["w2"] + (v["w1"] - v["w2"]) ** 2,
}


def post(client, body: dict):
    return client.post("/api/labs/graph", json=body)


def test_every_example_has_a_direct_formula():
    assert set(DIRECT) == set(EXAMPLES)


@pytest.mark.parametrize("expression", list(EXAMPLES))
def test_values_and_gradients_match_the_engine_and_central_differences(client, expression):
    values = EXAMPLES[expression]
    r = post(client, {"expression": expression, "values": values})
    assert r.status_code == 200, r.text
    d = r.json()
    leaves = {k: Tensor(np.array(v, dtype=np.float64), requires_grad=True) for k, v in values.items()}
    out = DIRECT[expression](leaves)
    out.backward()
    assert d["value"] == pytest.approx(float(out.data), rel=1e-12)
    plain = lambda vals: float(DIRECT[expression]({k: Tensor(np.array(v, dtype=np.float64)) for k, v in vals.items()}).data)  # noqa: E731
    for name, v in values.items():
        assert d["gradient"][name] == pytest.approx(float(leaves[name].grad), rel=1e-12, abs=1e-15)
        h = 1e-6
        central = (plain({**values, name: v + h}) - plain({**values, name: v - h})) / (2 * h)
        assert d["gradient"][name] == pytest.approx(central, rel=1e-6, abs=1e-8)
        assert d["forward_gradient"][name] == pytest.approx(d["gradient"][name], rel=1e-12, abs=1e-15)
    # every node: parts add up to its gradient, dual tangent matches the numeric one
    for node in d["nodes"]:
        if node["grad"] is not None:
            assert sum(p["value"] for p in node["grad_parts"]) == pytest.approx(node["grad"], rel=1e-12, abs=1e-15)
            for p in node["grad_parts"]:
                assert p["value"] == pytest.approx(p["upstream"] * p["local"])
        assert node["dual"][0] == pytest.approx(node["value"], rel=1e-12)
        assert node["numeric"] == pytest.approx(node["dual"][1], rel=1e-5, abs=1e-7)
    assert d["nodes"][-1]["id"] == d["output"]


def test_fan_out_of_x_times_x_plus_x(client):
    d = post(client, {"expression": "x*x + x", "values": {"x": 3}}).json()
    x = next(n for n in d["nodes"] if n["op"] == "var")
    assert x["grad"] == 7
    assert sorted(p["value"] for p in x["grad_parts"]) == [1, 3, 3]
    mul = next(n for n in d["nodes"] if n["op"] == "mul")
    assert mul["inputs"] == [x["id"], x["id"]] and mul["local"] == [3, 3]
    from_mul = [p for p in x["grad_parts"] if p["node"] == mul["id"]]
    assert [p["slot"] for p in from_mul] == [0, 1]
    assert d["value"] == 12 and d["cost"]["inputs"] == 1


def test_topological_order_and_cost(client):
    d = post(client, {"expression": "tanh(w*x + b)", "values": {"w": 1, "x": 2, "b": 0}, "wrt": "x"}).json()
    seen = set()
    for node in d["nodes"]:
        assert all(i in seen for i in node["inputs"])
        seen.add(node["id"])
    m = len(d["nodes"])
    assert d["cost"] == {"inputs": 3, "nodes": m, "forward_passes": 3, "forward_node_visits": 3 * m,
                         "reverse_passes": 1, "reverse_node_visits": m}
    assert d["wrt"] == "x"
    assert d["nodes"][-1]["dual"][1] == pytest.approx(1 - math.tanh(2) ** 2)  # d/dx tanh(w x + b) = w (1 - tanh^2)
    assert d["numeric_derivative"] == pytest.approx(1 - math.tanh(2) ** 2, rel=1e-8)


def test_constants_have_no_gradient_and_pow_handles_negative_base(client):
    d = post(client, {"expression": "x**2 - 2/x", "values": {"x": -1.5}}).json()
    consts = [n for n in d["nodes"] if n["op"] == "const"]
    assert consts and all(n["grad"] is None and n["grad_parts"] == [] for n in consts)
    assert d["gradient"]["x"] == pytest.approx(2 * -1.5 + 2 / 1.5 ** 2)


@pytest.mark.parametrize("expression,position", [
    ("x +", 3), ("2^x", 1), ("foo(x)", 0), ("x $ 2", 2), ("(x", 2), ("x)", 1), ("exp x", 4), ("", 0),
    ("x * * y", 4), ("__import__('os')", 11),
])
def test_bad_expression_is_422_with_position(client, expression, position):
    r = post(client, {"expression": expression, "values": {"x": 1}})
    assert r.status_code == 422
    err = r.json()["detail"][0]
    assert err["loc"] == ["body", "expression"]
    assert err["ctx"]["position"] == position
    assert f"position {position}" in err["msg"]


@pytest.mark.parametrize("body,field", [
    ({"expression": "x*y", "values": {"x": 1}}, "values"),
    ({"expression": "x", "values": {"x": True}}, "values"),
    ({"expression": "x", "values": {"x": 1e6}}, "values"),
    ({"expression": "log(x)", "values": {"x": -1}}, "values"),
    ({"expression": "1/x", "values": {"x": 0}}, "values"),
    ({"expression": "x", "values": {"x": 1}, "wrt": "y"}, "wrt"),
    ({"expression": "2 + 3", "values": {}}, "expression"),
    ({"expression": "x" + "+x" * 60, "values": {"x": 1}}, "expression"),
    ({"expression": "x" * 201, "values": {}}, "expression"),
    ({"expression": "x", "values": {"x": 1}, "h": 0}, "h"),
    ({"expression": "x", "values": {"x": 1}, "h": True}, "h"),
])
def test_bad_inputs_name_the_field(client, body, field):
    r = post(client, body)
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"][0]["loc"]
