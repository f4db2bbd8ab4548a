"""Accessibility: axe-core 4 run in Chromium on every tab ends with no violation.

axe-core is not committed: `make test` installs it with npm into the
git-ignored node_modules/ (or point AXE_CORE at an axe.min.js).
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(os.environ.get("AXE_CORE", ROOT / "node_modules" / "axe-core" / "axe.min.js"))
TABS = ["build", "train", "filters", "eval", "draw", "runs", "learn"]


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        pytest.skip(f"axe-core not installed at {AXE}: run `npm install --no-save axe-core@4` (make test does)")
    return AXE.read_text()


@pytest.fixture(scope="module")
def finished_circle_run(server):
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 8}, {"type": "relu"}, {"type": "dense", "units": 2}], "loss": "softmax_cross_entropy"}
    r = httpx.post(f"{server}/api/runs", json={"spec": spec, "dataset": "circle", "steps": 60, "batch_size": 16, "name": "axe check"}, timeout=10)
    run_id = r.json()["id"]
    for _ in range(200):
        if httpx.get(f"{server}/api/runs/{run_id}", timeout=10).json()["status"] == "finished":
            return run_id
        import time

        time.sleep(0.3)
    pytest.fail("the circle run did not finish")


def violations(page, axe_source: str) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    found = page.evaluate("""async () => {
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.length} node(s), e.g. ${v.nodes[0].target.join(' ')}: ${v.nodes[0].failureSummary.split('\\n').slice(0, 2).join(' ')}`);
    }""")
    return found


@pytest.mark.parametrize("tab", TABS)
def test_no_axe_violation_on_the_tab(page, axe_source, finished_circle_run, tab):
    page.goto(f"{page.base_url}/?run={finished_circle_run}&tab={tab}")
    page.wait_for_selector("#layer-list .layer", state="attached")
    page.wait_for_function("/Finished/.test(document.querySelector('#status-text').textContent)", timeout=20_000)
    # the views fill in (labs compute, tables load) before they are checked
    page.wait_for_timeout(1500)
    found = violations(page, axe_source)
    assert not found, "\n".join(found)
