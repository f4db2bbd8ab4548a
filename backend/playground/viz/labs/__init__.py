"""Learn labs: small, seeded computations that let a student see and change one
idea of the course notes each. Every lab is a pure function of its inputs that
returns JSON-ready dicts, computed with the engine (NumPy only):

    differentiation.py  numeric vs forward-mode vs reverse-mode derivatives
    perceptron.py       the perceptron rule, update by update
    softmax.py          softmax, cross-entropy and its gradient
    activations.py      activations, their slopes, and gradients through a deep chain
    descent.py          full-batch gradient descent vs mini-batch SGD on a loss surface
    linear_stack.py     stacked linear layers collapse to one; ReLU does not
    vectorize.py        a Python loop against NumPy's vectorized dot / matmul
    expression.py       the graph lab's safe parser (allow-listed grammar, no eval)
    graph.py            an expression's computation graph: both passes, fan-out, duals
    conv_lab.py         conv2d and pooling on a small grid, with padding and the size formula

Bad inputs raise LabError(field, message), which the API turns into a 422;
`finite` makes a result JSON-safe.
"""

from __future__ import annotations

from playground.viz.json_safe import finite  # noqa: F401  (the labs' answers go through it)


class LabError(ValueError):
    """An input the lab cannot use; `field` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message
