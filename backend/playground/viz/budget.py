"""How much memory a pass through a model takes per sample, and batch sizes
that keep it bounded.

The parameter limit does not bound activations: two 3x3 convolutions with 256
filters on 28x28 have 1.1 M parameters but hold ~2.7 M floats per sample
(outputs plus im2col columns), so a training batch of 4096 would need ~80 GB.
`sample_floats(spec)` counts those floats from the spec alone (nothing is
allocated); training takes about twice that per sample (measured peak: 1.8x,
forward plus backward); inference needs it once, so inference on the server
runs in chunks of `inference_chunk(spec)` samples.
"""

from __future__ import annotations

import math

from playground.engine.spec import validate_spec

FLOAT_BYTES = 4
# Forward activations and their gradients (peak measured at 1.8x the outputs
# plus im2col columns of one batch).
TRAINING_FACTOR = 2
# What one inference chunk on the server may hold (several requests may run at once).
INFERENCE_BUDGET = 256 * 1024 * 1024


def sample_floats(spec: dict) -> int:
    """Floats one sample holds in a forward pass: every layer's output, plus
    the im2col columns of each convolution."""
    report = validate_spec(spec)
    total = math.prod(report.input_shape)
    for info in report.layers:
        total += math.prod(info.output_shape)
        if info.type == "conv2d":
            k = int(info.config.get("kernel_size") or 3)
            total += math.prod(info.output_shape[:2]) * k * k * int(info.input_shape[-1])
    return int(total)


def training_bytes(spec: dict, batch_size: int) -> int:
    """About the peak memory of one training step at `batch_size`."""
    return TRAINING_FACTOR * FLOAT_BYTES * sample_floats(spec) * int(batch_size)


def largest_batch(spec: dict, budget_bytes: int) -> int:
    """The largest training batch that stays within `budget_bytes` (at least 1)."""
    return max(1, budget_bytes // (TRAINING_FACTOR * FLOAT_BYTES * sample_floats(spec)))


def inference_chunk(spec: dict, cap: int = 1024, budget_bytes: int = INFERENCE_BUDGET) -> int:
    """How many samples to push through the model at once on the server."""
    return max(1, min(cap, budget_bytes // (FLOAT_BYTES * sample_floats(spec))))


def largest_layer(report) -> tuple[int | None, int]:
    """(index, values) of the layer holding the most values per sample: its
    output, or for a convolution its im2col columns if those are more.
    ``report`` is a validated spec (SpecReport); nothing is allocated."""
    index, most = None, 0
    for info in report.layers:
        n = math.prod(info.output_shape)
        if info.type == "conv2d":
            k = int(info.config.get("kernel_size") or 3)
            n = max(n, math.prod(info.output_shape[:2]) * k * k * int(info.input_shape[-1]))
        if n > most:
            index, most = info.index, n
    return index, int(most)


def size_problem(report, max_input: int, max_activation: int) -> tuple[tuple, str] | None:
    """(field, message) for a spec whose input or largest activation per sample
    is over its limit, else None. The field is relative to the spec:
    ("input_shape",) or ("layers", index)."""
    n_in = math.prod(report.input_shape)
    if n_in > max_input:
        return ("input_shape",), (f"input_shape {list(report.input_shape)} holds {n_in:,} values per sample; "
                                  f"the limit is {max_input:,}")
    index, most = largest_layer(report)
    if index is not None and most > max_activation:
        info = report.layers[index]
        return ("layers", index), (f"layer {index} ({info.type}) holds {most:,} values per sample; "
                                   f"the limit is {max_activation:,}: use a smaller input or fewer units/filters")
    return None
