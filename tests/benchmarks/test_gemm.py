"""The floors table's measurements count what they say (benchmarks/gemm.py)."""

from benchmarks import gemm
from playground.engine.fast import conv


def test_conv_products_are_timed_inside_the_step_and_numpy_is_given_back():
    got = gemm.conv_child(steps=3, rounds=2)
    # The products are part of the step: counted (the CNN's convolutions run
    # matmul), and less than the whole of it (pooling, im2col, the loss...).
    assert 0 < got["products_us"] < got["step_us"]
    import numpy
    assert conv.np is numpy


def test_mlp_products_time_at_one_and_two_blas_threads():
    for threads in (1, 2):
        assert gemm.child("engine", threads)["us"] > 0
