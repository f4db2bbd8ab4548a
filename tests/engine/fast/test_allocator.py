"""fast/allocator.py: malloc keeps freed blocks for the next step."""

import ctypes.util
import subprocess
import sys

import pytest

from playground.engine.fast import allocator


@pytest.mark.skipif(not sys.platform.startswith("linux") or "musl" in (ctypes.util.find_library("c") or ""),
                    reason="glibc's mallopt")
def test_glibc_takes_the_settings_once():
    assert allocator.keep_freed_memory() is True
    assert allocator.keep_freed_memory() is True   # a second call changes nothing


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
@pytest.mark.parametrize("keep", [False, True])
def test_a_steps_freed_arrays_are_reused_not_faulted_in_again(keep):
    # A fresh process makes and frees a "step's" arrays (0.8-3.2 MB) 20 times.
    # As is, glibc hands the freed top of the heap back and every step
    # page-faults its memory in again; with the setting, nothing faults.
    code = f"""
import resource, numpy as np
from playground.engine.fast.allocator import keep_freed_memory
if {keep}:
    keep_freed_memory()
def step():
    arrays = [np.ones(200_000 * (k + 1), np.float32) for k in range(4)]
    del arrays
step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
    faults = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    if keep:
        assert faults < 500
    else:
        assert faults > 10_000   # ~2,000 pages per step
