"""Benchmarks: printed tables, not timed tests.

    python -m benchmarks.engine     training throughput and inference latency, engine vs PyTorch CPU
"""
