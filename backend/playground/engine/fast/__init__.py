"""The engine's fast path, beside the readable references it is tested against.

- im2col.py, conv.py, pool.py: convolution and pooling on batch-innermost
  arrays (C, H, W, N), same maths as engine/im2col.py, conv.py and pool.py;
- workspace.py: the pool of reused per-shape work buffers those kernels use;
- plan.py: the forward plan a Model runs (layouts, ReLU after max pooling);
- processes.py, shard_worker.py: one training step's batch split over
  processes that share the weights;
- allocator.py: malloc told to reuse freed blocks, not page-fault them in anew.

tests/engine/fast/ checks every fast kernel against its reference.
"""
