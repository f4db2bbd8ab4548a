"""budget: per-sample activation memory from the spec, training peak and
inference chunk sizes (the parameter limit alone does not bound memory)."""

from __future__ import annotations

from playground.viz import budget

CONV = {"input_shape": [28, 28, 1],
        "layers": [{"type": "conv2d", "filters": 256, "kernel_size": 3, "padding": "same"}, {"type": "relu"},
                   {"type": "conv2d", "filters": 256, "kernel_size": 3, "padding": "same"}, {"type": "relu"},
                   {"type": "flatten"}, {"type": "dense", "units": 10}]}
MLP = {"input_shape": [2], "layers": [{"type": "dense", "units": 8}, {"type": "dense", "units": 2}]}


def test_sample_floats_counts_outputs_and_im2col():
    assert budget.sample_floats(MLP) == 2 + 8 + 2
    hw = 28 * 28
    outputs = hw + hw * 256 * 4 + hw * 256 + 10  # input, conv/relu/conv/relu, flatten, dense
    im2col = hw * 9 * 1 + hw * 9 * 256
    assert budget.sample_floats(CONV) == outputs + im2col


def test_training_bytes_and_largest_batch_agree():
    limit = 2 * 1024**3
    most = budget.largest_batch(CONV, limit)
    assert budget.training_bytes(CONV, most) <= limit < budget.training_bytes(CONV, most + 1)
    assert budget.training_bytes(CONV, 4096) > 50 * 1024**3  # what the limit exists for


def test_inference_chunk_is_bounded_both_ways():
    assert budget.inference_chunk(MLP) == 1024
    chunk = budget.inference_chunk(CONV)
    assert 1 <= chunk < 1024 and chunk * 4 * budget.sample_floats(CONV) <= budget.INFERENCE_BUDGET
