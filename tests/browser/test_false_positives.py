"""The Evaluate tab's "Wrongly matched" card in real Chromium (the course notes'
face-matching example): one class's false positives and misses at a confidence
threshold, read from the server's threshold table; raising the threshold trades
the one for the other (tests/artifacts/false-positives.png)."""

from __future__ import annotations

import re

import httpx
import pytest
from browser_helpers import start_run, wait_finished

pytestmark = pytest.mark.browser
MLP = {"input_shape": [28, 28, 1], "layers": [{"type": "flatten"}, {"type": "dense", "units": 32, "activation": "relu"},
                                              {"type": "dense", "units": 10}]}


def numbers(text: str) -> tuple[int, int]:
    """(false positives, missed) from the readout."""
    fp = int(re.search(r": ([\d,]+) of the", text).group(1).replace(",", ""))
    missed = int(re.search(r"; ([\d,]+) missed", text).group(1).replace(",", ""))
    return fp, missed


def test_a_higher_threshold_trades_false_matches_for_misses(page, server, shot):
    run_id = start_run(server, {"spec": MLP, "dataset": "mnist", "steps": 300, "batch_size": 64,
                                "optimizer": "adam", "lr": 0.001})
    wait_finished(server, [run_id], 120)
    evaluation = httpx.get(f"{server}/api/runs/{run_id}/evaluation", timeout=60).json()
    page.goto(f"{server}/?run={run_id}&tab=eval")
    page.wait_for_selector("#fp-text:not(:empty)", timeout=30_000)
    assert "face-matching" in page.text_content("#learn-fp")
    # The class chosen first is the one with the most false positives; at threshold 0
    # its count is its confusion-matrix column off the diagonal.
    c = int(page.eval_on_selector("#fp-class", "s => s.value"))
    column = [row[c] for row in evaluation["confusion"]]
    assert c == max(range(10), key=lambda k: sum(r[k] for r in evaluation["confusion"]) - evaluation["confusion"][k][k])
    text0 = page.text_content("#fp-text")
    assert text0.startswith("Counting every prediction (threshold 0)")
    fp0, missed0 = numbers(text0)
    assert fp0 == sum(column) - column[c] and missed0 == sum(evaluation["confusion"][c]) - column[c]
    page.eval_on_selector("#fp-threshold", "s => { s.value = s.max - 2; s.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.wait_for_function("document.querySelector('#fp-text').textContent.includes('at least 0.99')")
    fp1, missed1 = numbers(page.text_content("#fp-text"))
    assert fp1 < fp0 and missed1 > missed0
    assert page.text_content("#fp-threshold-out") == "0.99"
    page.locator("#fp-title").scroll_into_view_if_needed()
    shot(page, "false-positives", full_page=True)
