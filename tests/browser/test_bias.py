"""Biasing the training data in real Chromium: keep 1% of MNIST's 8s with the
Build view's control, train briefly, and see class 8 tagged "trained on 1%" and
named as the largest gap on the Evaluate tab (tests/artifacts/bias.png).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def test_keeping_one_percent_of_the_eights_makes_class_8_the_largest_gap(page, shot):
    page.goto(f"{page.base_url}/#dataset=mnist&steps=300&seed=1")
    page.wait_for_selector("#layer-list .layer")
    page.click("[data-preset=mlp]")
    page.wait_for_selector("#bias-box:not([hidden])")
    assert "Gender Shades" in page.text_content("#learn-bias")
    page.select_option("#bias-class", "8")
    # a range input cannot be filled: set it and fire input, as a drag does
    page.eval_on_selector("#bias-keep", "s => { s.value = '1'; s.dispatchEvent(new Event('input', {bubbles: true})); }")
    page.wait_for_function("location.hash.includes('bias=8:0.01')")
    assert page.text_content("#out-bias") == "1%"
    assert page.text_content("[data-bias-class='8']").startswith("class 8: 1%")
    page.locator("#bias-box").screenshot(path=str(ARTIFACTS / "bias-control.png"))

    page.click("#btn-start")
    page.wait_for_function("/Finished/.test(document.querySelector('#status-text').textContent)", timeout=90_000)
    run_id = re.search(r"run=([\w-]+)", page.url).group(1)
    record = page.request.get(f"{page.base_url}/api/runs/{run_id}").json()
    assert record["dataset_params"]["class_fractions"] == {"8": 0.01}

    page.click("[data-tab=eval]")
    page.wait_for_selector("#eval-body:not([hidden])", timeout=30_000)
    page.wait_for_function("document.querySelector('#gap-text').textContent.includes('Largest gap')")
    gap = page.text_content("#gap-text")
    assert re.search(r"and class 8 \(\d+\.\d%\)", gap), gap  # the worst class is the rare one
    assert "class 8 trained on 1%" in gap
    page.locator("#chart-perclass").scroll_into_view_if_needed()
    shot(page, "bias", full_page=True)
