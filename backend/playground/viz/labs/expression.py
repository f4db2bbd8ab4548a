"""A safe parser for the computation-graph lab's scalar expressions.

No ``eval``: a hand-written recursive-descent parser accepts only this grammar
(Python's precedence, ``**`` right-associative and tighter than unary minus,
so ``-x**2`` is ``-(x**2)`` and ``2**-1`` is allowed):

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := "-" unary | power
    power  := atom ("**" unary)?
    atom   := NUMBER | NAME | FUNC "(" expr ")" | "(" expr ")"

FUNC is one of FUNCTIONS; a NAME is any other identifier (a variable). Every
error is an ExpressionError carrying the 0-based character position at fault.
The result is a tree of Expr nodes; graph.py turns it into engine Tensors.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

FUNCTIONS = ("exp", "log", "sin", "cos", "tanh", "sigmoid", "relu")
BINARY = {"+": "add", "-": "sub", "*": "mul", "/": "div", "**": "pow"}
MAX_LENGTH = 200
MAX_VARIABLES = 6
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class ExpressionError(ValueError):
    """A syntax error at character `position` (0-based) of the expression."""

    def __init__(self, position: int, message: str):
        super().__init__(f"at position {position}: {message}")
        self.position = position
        self.message = message


@dataclass(frozen=True)
class Expr:
    """kind: "num" (value), "var" (name), "neg"/FUNCTIONS (args[0]), BINARY ops (args[0], args[1])."""

    kind: str
    args: tuple = ()
    value: float = 0.0
    name: str = ""
    position: int = 0


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "name", "op", "end"
    text: str
    position: int


def tokenize(text: str) -> list[_Token]:
    tokens, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch in " \t":
            i += 1
            continue
        if text.startswith("**", i):
            tokens.append(_Token("op", "**", i))
            i += 2
            continue
        if ch in "+-*/()":
            tokens.append(_Token("op", ch, i))
            i += 1
            continue
        if ch == "^":
            raise ExpressionError(i, "use ** for powers (^ is not allowed)")
        m = _NUMBER.match(text, i) if (ch.isdigit() or ch == ".") else None
        if m:
            tokens.append(_Token("num", m.group(0), i))
            i = m.end()
            continue
        m = _NAME.match(text, i)
        if m:
            tokens.append(_Token("name", m.group(0), i))
            i = m.end()
            continue
        raise ExpressionError(i, f"unexpected character {ch!r}")
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def is_op(self, *ops: str) -> bool:
        tok = self.peek()
        return tok.kind == "op" and tok.text in ops

    def expect(self, op: str) -> None:
        tok = self.peek()
        if not (tok.kind == "op" and tok.text == op):
            found = "the end" if tok.kind == "end" else repr(tok.text)
            raise ExpressionError(tok.position, f"expected {op!r}, found {found}")
        self.take()

    def expr(self) -> Expr:
        left = self.term()
        while self.is_op("+", "-"):
            tok = self.take()
            left = Expr(BINARY[tok.text], (left, self.term()), position=tok.position)
        return left

    def term(self) -> Expr:
        left = self.unary()
        while self.is_op("*", "/"):
            tok = self.take()
            left = Expr(BINARY[tok.text], (left, self.unary()), position=tok.position)
        return left

    def unary(self) -> Expr:
        if self.is_op("-"):
            tok = self.take()
            return Expr("neg", (self.unary(),), position=tok.position)
        if self.is_op("+"):
            raise ExpressionError(self.peek().position, "a unary + is not needed here")
        return self.power()

    def power(self) -> Expr:
        base = self.atom()
        if self.is_op("**"):
            tok = self.take()
            return Expr("pow", (base, self.unary()), position=tok.position)
        return base

    def atom(self) -> Expr:
        tok = self.take()
        if tok.kind == "num":
            value = float(tok.text)
            if not math.isfinite(value):
                raise ExpressionError(tok.position, f"the number {tok.text} is too large")
            return Expr("num", value=value, position=tok.position)
        if tok.kind == "name":
            if tok.text in FUNCTIONS:
                if not self.is_op("("):
                    raise ExpressionError(self.peek().position, f"{tok.text} needs parentheses: {tok.text}(...)")
                self.take()
                arg = self.expr()
                self.expect(")")
                return Expr(tok.text, (arg,), position=tok.position)
            if self.is_op("("):
                known = ", ".join(FUNCTIONS)
                raise ExpressionError(tok.position, f"unknown function {tok.text!r}; allowed: {known}")
            return Expr("var", name=tok.text, position=tok.position)
        if tok.kind == "op" and tok.text == "(":
            inner = self.expr()
            self.expect(")")
            return inner
        if tok.kind == "end":
            raise ExpressionError(tok.position, "the expression ends too early")
        raise ExpressionError(tok.position, f"unexpected {tok.text!r}")


def parse(text: str) -> Expr:
    """The tree of `text`, or ExpressionError(position, message)."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(MAX_LENGTH, f"the expression is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExpressionError(0, "the expression is empty")
    parser = _Parser(text)
    tree = parser.expr()
    tok = parser.peek()
    if tok.kind != "end":
        raise ExpressionError(tok.position, f"unexpected {tok.text!r} after a complete expression")
    names = variables(tree)
    if len(names) > MAX_VARIABLES:
        raise ExpressionError(0, f"at most {MAX_VARIABLES} variables, found {len(names)}: {', '.join(names)}")
    return tree


def variables(tree: Expr) -> list[str]:
    """Variable names in order of first appearance (left to right)."""
    out: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.kind == "var" and node.name not in out:
            out.append(node.name)
        stack.extend(reversed(node.args))
    return out
