"""Computation-graph lab: one expression, its graph, and every number of both
passes, computed by the engine.

- The parsed expression (expression.py) becomes a list of nodes in topological
  order: one node per variable (used twice, it fans out), one per constant, one
  per operation.
- Reverse mode: each node is an engine Tensor (float64); ``backward()`` on the
  output fills every node's gradient (``retain_grad`` keeps the intermediate
  ones). A node's local derivatives come from ``backward()`` on its op alone,
  applied to fresh leaves holding its input values, so each input slot gets its
  own number even when both slots hold the same node (x*x).
- Fan-out, as the notes say: a node's gradient is the sum over its uses of
  (consumer's gradient) x (local derivative); ``grad_parts`` lists those
  products, and they add up to the engine's own ``grad``.
- Forward mode: the same nodes evaluated on dual numbers (engine.forward_mode)
  seeded with 1 on the chosen variable, one pass per variable for the whole
  gradient; numeric: central differences of every node with step h.
"""

from __future__ import annotations

import math

import numpy as np

from playground.engine import forward_mode as fm
from playground.engine import ops
from playground.engine.tensor import Tensor, no_grad
from playground.viz.labs import LabError
from playground.viz.labs.expression import FUNCTIONS, Expr, parse, variables

MAX_NODES = 40
VALUE_RANGE = (-100.0, 100.0)
H_RANGE = (1e-10, 1.0)
EXAMPLES = {
    "x*x + x": {"x": 3.0},
    "tanh(w*x + b)": {"w": 0.5, "x": 2.0, "b": -0.3},
    "sigmoid(x)*x - 2/x": {"x": 1.5},
    "exp(x)*sin(x)": {"x": 0.8},
    "log(1 + exp(a*x)) - b**2": {"a": 1.2, "x": -0.5, "b": 0.7},
    "relu(w1*x) * w2 + (w1 - w2)**2": {"w1": 0.8, "x": 1.5, "w2": -1.1},
}
LABELS = {"add": "+", "sub": "\u2212", "mul": "\u00d7", "div": "/", "pow": "**", "neg": "\u2212"}

_TENSOR_FN = {"exp": ops.exp, "log": ops.log, "sin": ops.sin, "cos": ops.cos,
              "tanh": ops.tanh, "sigmoid": ops.sigmoid, "relu": ops.relu, "neg": ops.neg}
_TENSOR_BIN = {"add": ops.add, "sub": ops.sub, "mul": ops.mul, "div": ops.div}
_DUAL_FN = {"exp": fm.exp, "log": fm.log, "sin": fm.sin, "cos": fm.cos,
            "tanh": fm.tanh, "sigmoid": fm.sigmoid, "relu": fm.relu, "neg": lambda a: -a}
_DUAL_BIN = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b,
             "mul": lambda a, b: a * b, "div": lambda a, b: a / b}


def flatten(tree: Expr) -> list[dict]:
    """Nodes in topological order (post-order): {"id", "op", "label", "inputs", "name"/"const"}."""
    nodes: list[dict] = []
    var_ids: dict[str, str] = {}

    def add(node: dict) -> str:
        if len(nodes) >= MAX_NODES:
            raise LabError("expression", f"the graph has more than {MAX_NODES} nodes; shorten the expression")
        node["id"] = f"n{len(nodes)}"
        nodes.append(node)
        return node["id"]

    # An explicit stack, post-order: a deep chain of unary minus stays off the recursion limit.
    ids: dict[int, str] = {}
    stack: list[tuple[Expr, bool]] = [(tree, False)]
    while stack:
        expr, done = stack.pop()
        if not done:
            stack.append((expr, True))
            stack.extend((a, False) for a in reversed(expr.args))
            continue
        if expr.kind == "var":
            if expr.name not in var_ids:
                var_ids[expr.name] = add({"op": "var", "label": expr.name, "name": expr.name, "inputs": []})
            ids[id(expr)] = var_ids[expr.name]
        elif expr.kind == "num":
            ids[id(expr)] = add({"op": "const", "label": f"{expr.value:g}", "const": expr.value, "inputs": []})
        else:
            inputs = [ids[id(a)] for a in expr.args]
            ids[id(expr)] = add({"op": expr.kind, "label": LABELS.get(expr.kind, expr.kind), "inputs": inputs})
    return nodes


def _apply_tensor(node: dict, args: list, consts: dict):
    op = node["op"]
    if op == "pow":
        # A constant exponent goes in as a number: x**2 then works for x < 0 too.
        exponent = consts.get(node["inputs"][1])
        return ops.pow(args[0], exponent if exponent is not None else args[1])
    if op in _TENSOR_BIN:
        return _TENSOR_BIN[op](*args)
    return _TENSOR_FN[op](args[0])


def _tensors(nodes: list[dict], values: dict[str, float], track: bool) -> dict[str, Tensor]:
    consts = {n["id"]: n["const"] for n in nodes if n["op"] == "const"}
    out: dict[str, Tensor] = {}
    for n in nodes:
        if n["op"] == "var":
            out[n["id"]] = Tensor(np.array(values[n["name"]], dtype=np.float64), requires_grad=track)
        elif n["op"] == "const":
            out[n["id"]] = Tensor(np.array(n["const"], dtype=np.float64))
        else:
            out[n["id"]] = _apply_tensor(n, [out[i] for i in n["inputs"]], consts)
    return out


def _local_derivatives(node: dict, tensors: dict[str, Tensor], consts: dict) -> list[float | None]:
    """d node / d input, per input slot, by backward() on the op alone."""
    if not node["inputs"]:
        return []
    leaves = [Tensor(np.array(tensors[i].data, dtype=np.float64), requires_grad=True) for i in node["inputs"]]
    if node["op"] == "pow" and node["inputs"][1] in consts:
        ops.pow(leaves[0], consts[node["inputs"][1]]).backward()
        return [float(leaves[0].grad), None]
    _apply_tensor(node, leaves, {}).backward()
    return [None if leaf.grad is None else float(leaf.grad) for leaf in leaves]


def _duals(nodes: list[dict], values: dict[str, float], wrt: str) -> dict[str, fm.Dual]:
    out: dict[str, fm.Dual] = {}
    for n in nodes:
        op = n["op"]
        if op == "var":
            out[n["id"]] = fm.Dual(values[n["name"]], 1.0 if n["name"] == wrt else 0.0)
        elif op == "const":
            out[n["id"]] = fm.Dual(n["const"], 0.0)
        elif op == "pow":
            base, exp_node = n["inputs"]
            exponent = nodes[int(exp_node[1:])]
            # Same rule as the Tensor side: a constant exponent is a plain number.
            out[n["id"]] = out[base] ** (exponent["const"] if exponent["op"] == "const" else out[exp_node])
        elif op in _DUAL_BIN:
            out[n["id"]] = _DUAL_BIN[op](*(out[i] for i in n["inputs"]))
        else:
            out[n["id"]] = _DUAL_FN[op](out[n["inputs"][0]])
    return out


def _check_values(names: list[str], values: dict[str, float], wrt: str | None) -> str:
    missing = [v for v in names if v not in values]
    if missing:
        raise LabError("values", f"give a value for {', '.join(missing)}")
    for name in names:
        if not VALUE_RANGE[0] <= values[name] <= VALUE_RANGE[1]:
            raise LabError("values", f"{name} must lie in [{VALUE_RANGE[0]:g}, {VALUE_RANGE[1]:g}]")
    if wrt is None:
        return names[0]
    if wrt not in names:
        raise LabError("wrt", f"{wrt!r} is not a variable of the expression ({', '.join(names)})")
    return wrt


def graph_lab(expression: str, values: dict[str, float], wrt: str | None = None, h: float = 1e-5) -> dict:
    """Nodes with value, grad, grad_parts, local derivatives, dual and numeric derivative."""
    tree = parse(expression)
    names = variables(tree)
    if not names:
        raise LabError("expression", "the expression has no variable to differentiate by")
    wrt = _check_values(names, values, wrt)
    nodes = flatten(tree)
    consts = {n["id"]: n["const"] for n in nodes if n["op"] == "const"}
    with np.errstate(all="ignore"):
        tensors = _tensors(nodes, values, track=True)
        bad = next((n for n in nodes if not np.isfinite(tensors[n["id"]].data)), None)
        if bad is not None:
            raise LabError("values", f"node {bad['id']} ({bad['label']}) is not a finite number at these values")
        out = tensors[nodes[-1]["id"]]
        for t in tensors.values():
            if not t.is_leaf:
                t.retain_grad()
        out.backward()
        locals_ = {n["id"]: _local_derivatives(n, tensors, consts) for n in nodes}
    try:
        duals = {name: _duals(nodes, values, name) for name in names}
    except (ValueError, ZeroDivisionError, OverflowError) as err:
        raise LabError("values", f"forward mode fails at these values ({err}); move them") from None
    with no_grad(), np.errstate(all="ignore"):
        plus = _tensors(nodes, {**values, wrt: values[wrt] + h}, track=False)
        minus = _tensors(nodes, {**values, wrt: values[wrt] - h}, track=False)

    grads = {k: (None if t.grad is None else float(t.grad)) for k, t in tensors.items()}
    parts: dict[str, list[dict]] = {n["id"]: [] for n in nodes}
    parts[out_id := nodes[-1]["id"]].append({"node": None, "slot": None, "upstream": 1.0, "local": 1.0, "value": 1.0})
    for n in nodes:
        for slot, src in enumerate(n["inputs"]):
            local = locals_[n["id"]][slot]
            if grads[src] is None or local is None or grads[n["id"]] is None:
                continue
            parts[src].append({"node": n["id"], "slot": slot, "upstream": grads[n["id"]],
                               "local": local, "value": grads[n["id"]] * local})
    result_nodes = []
    for n in nodes:
        k = n["id"]
        d = duals[wrt][k]
        numeric = (float(plus[k].data) - float(minus[k].data)) / (2 * h)
        result_nodes.append({
            **n, "value": float(tensors[k].data), "grad": grads[k], "grad_parts": parts[k] if grads[k] is not None else [],
            "local": locals_[k], "dual": [d.value, d.derivative],
            "numeric": numeric if math.isfinite(numeric) else None,
        })
    m = len(nodes)
    return {
        "expression": expression, "examples": EXAMPLES, "functions": list(FUNCTIONS), "variables": names,
        "values": {v: values[v] for v in names}, "wrt": wrt, "h": h,
        "nodes": result_nodes, "output": out_id, "value": float(out.data),
        "gradient": {v: grads[_var_id(nodes, v)] for v in names},
        "forward_gradient": {v: duals[v][out_id].derivative for v in names},
        "numeric_derivative": result_nodes[-1]["numeric"],
        "cost": {"inputs": len(names), "nodes": m, "forward_passes": len(names),
                 "forward_node_visits": len(names) * m, "reverse_passes": 1, "reverse_node_visits": m},
    }


def _var_id(nodes: list[dict], name: str) -> str:
    return next(n["id"] for n in nodes if n["op"] == "var" and n["name"] == name)
