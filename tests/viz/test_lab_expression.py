"""The graph lab's parser: Python's precedence, only the allow-listed grammar,
and every error at the character where it happens."""

from __future__ import annotations

import pytest

from playground.viz.labs import LabError
from playground.viz.labs.expression import MAX_LENGTH, ExpressionError, parse, variables
from playground.viz.labs.graph import MAX_NODES, flatten, graph_lab


def shape(e) -> str:
    """A fully parenthesised rendering of the tree."""
    if e.kind == "num":
        return f"{e.value:g}"
    if e.kind == "var":
        return e.name
    if len(e.args) == 1:
        return f"{e.kind}({shape(e.args[0])})"
    return f"({shape(e.args[0])} {e.kind} {shape(e.args[1])})"


@pytest.mark.parametrize("text,tree", [
    ("-x**2", "neg((x pow 2))"),  # ** binds tighter than unary minus, as in Python
    ("2**-1", "(2 pow neg(1))"),
    ("2**3**2", "(2 pow (3 pow 2))"),  # right-associative
    ("a - b - c", "((a sub b) sub c)"),
    ("a / b * c", "((a div b) mul c)"),
    ("x*x + x", "((x mul x) add x)"),
    ("sigmoid(x)*x - 2/x", "((sigmoid(x) mul x) sub (2 div x))"),
    (".5e1 + 3.", "(5 add 3)"),
])
def test_precedence(text, tree):
    assert shape(parse(text)) == tree


def test_variables_in_order_of_appearance():
    assert variables(parse("tanh(w*x + b) * w")) == ["w", "x", "b"]


def test_deep_nesting_is_no_recursion_problem():
    deep = "(" * 90 + "x" + ")" * 90
    assert shape(parse(deep)) == "x"
    chain = parse("-" * 190 + "x")  # parses; the graph is then too big to draw
    with pytest.raises(LabError):
        flatten(chain)


@pytest.mark.parametrize("text,position", [
    ("x" * (MAX_LENGTH + 1), MAX_LENGTH), ("1e999", 0), ("x ** ", 5), ("+x", 0), ("exp(x", 5),
    ("x.y", 1), ("import os", 7), ("a b", 2), ("x[0]", 1), ("lambda: 1", 6),
])
def test_errors_carry_the_position(text, position):
    with pytest.raises(ExpressionError) as err:
        parse(text)
    assert err.value.position == position


def test_too_many_variables_and_nodes():
    with pytest.raises(ExpressionError):
        parse("a+b+c+d+e+f+g")
    with pytest.raises(LabError) as err:
        graph_lab("+".join(["x"] * (MAX_NODES + 1)), {"x": 1.0})
    assert err.value.field == "expression"
