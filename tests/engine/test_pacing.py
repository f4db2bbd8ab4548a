"""Slow motion: Controls.pace holds the loop at a set number of steps per second,
answers a pause or a stop at once, and a new rate takes effect at the next step."""

from __future__ import annotations

import threading
import time

import pytest

from playground.engine.controls import Controls


def test_pace_holds_the_rate():
    c = Controls()
    c.set_rate(20)
    t0 = time.monotonic()
    for _ in range(11):
        c.pace()
    elapsed = time.monotonic() - t0
    assert 0.45 <= elapsed <= 0.8  # 10 periods of 50 ms after the first step


def test_no_rate_means_no_wait_and_stop_wakes_a_slow_pace():
    c = Controls()
    t0 = time.monotonic()
    for _ in range(1000):
        c.pace()
    assert time.monotonic() - t0 < 0.1
    c.set_rate(0.1)  # one step per 10 s
    c.pace()
    threading.Timer(0.1, c.stop).start()
    t0 = time.monotonic()
    c.pace()
    assert time.monotonic() - t0 < 1.0


def test_a_new_rate_applies_at_once_and_bad_rates_are_refused():
    c = Controls()
    c.set_rate(0.2)
    c.pace()
    threading.Timer(0.1, lambda: c.set_rate(None)).start()
    t0 = time.monotonic()
    c.pace()
    assert time.monotonic() - t0 < 1.0
    with pytest.raises(ValueError):
        c.set_rate(-1)
