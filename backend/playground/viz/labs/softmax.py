"""Softmax and cross-entropy lab: logits in, probabilities, loss and gradient out.

p = softmax(l / T), L = -log p[label]; the gradient with respect to the logits
comes from the engine's backward() through softmax_cross_entropy, and equals
(p - onehot(label)) / T: the "error" the last layer passes back.
"""

from __future__ import annotations

import numpy as np

from playground.engine import ops
from playground.engine.losses import softmax_cross_entropy
from playground.engine.tensor import Tensor
from playground.viz.labs import LabError


def softmax_lab(logits: list[float], label: int, temperature: float = 1.0) -> dict:
    k = len(logits)
    if not 0 <= label < k:
        raise LabError("label", f"label must be in [0, {k}), got {label}")
    z = Tensor(np.asarray(logits, dtype=np.float64)[None, :], requires_grad=True)
    scaled = z / temperature
    probs = ops.softmax(scaled).data[0]
    loss = softmax_cross_entropy(scaled, np.array([label]))
    loss.backward()
    onehot = np.zeros(k)
    onehot[label] = 1.0
    return {
        "logits": list(map(float, logits)),
        "label": label,
        "temperature": temperature,
        "probabilities": probs.tolist(),
        "loss": float(loss.data),
        "gradient": z.grad[0].tolist(),
        "onehot": onehot.tolist(),
        "prediction": int(np.argmax(probs)),
    }
