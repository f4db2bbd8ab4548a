"""Browser: a 1-D run draws its fitted curve, a reopened run shows its stored
snapshot charts, and the Draw view's shift control moves the digit the model
sees (with the shift sweep). Screenshots go to tests/artifacts/."""

from __future__ import annotations

import pytest
from browser_helpers import draw_one, start_run, wait_finished

pytestmark = pytest.mark.browser

MLP_MNIST = {
    "input_shape": [28, 28, 1],
    "layers": [{"type": "flatten"}, {"type": "dense", "units": 32, "activation": "relu"}, {"type": "dense", "units": 10}],
}


def open_page(page, query: str = ""):
    page.goto(f"{page.base_url}/{query}")
    page.wait_for_selector("#layer-list .layer")
    page.wait_for_function("!document.querySelector('#model-summary').textContent.startsWith('Checking')")


def wait_status(page, pattern: str, timeout: float = 60_000):
    page.wait_for_function(
        "re => new RegExp(re).test(document.querySelector('#status-text').textContent)", arg=pattern, timeout=timeout
    )


BLUE_CURVE = """() => {
    const c = document.querySelector('#fit-chart');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let blue = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 150 && d[i] < 60) blue += 1;
    return blue > 200;
}"""


def test_1d_run_draws_its_fitted_curve_and_keeps_its_snapshots(page, shot):
    open_page(page)
    page.select_option("#cfg-dataset", "sin")
    # the 1-D preset: one hidden tanh layer, one output, trained for many epochs
    page.wait_for_function("document.querySelectorAll('#layer-list .layer').length === 3")
    page.wait_for_function("!document.querySelector('#model-summary').textContent.startsWith('Checking')")
    assert page.locator("[data-preset=fit1d]").count() == 1
    page.click("#btn-start")
    wait_status(page, "Finished")
    assert page.locator("#fit-card").is_visible() and not page.locator("#boundary-card").is_visible()
    page.wait_for_function("Number(document.querySelector('#fit-chart').dataset.points || 0) >= 100", timeout=20_000)
    page.wait_for_function(BLUE_CURVE, timeout=20_000)
    page.wait_for_function("Number(document.querySelector('#chart-grad').dataset.points || 0) >= 2", timeout=20_000)
    shot(page, "fit-curve")
    run_id = page.evaluate("new URLSearchParams(location.search).get('run')")
    assert run_id

    # reopened later: the snapshot charts come from the stored history
    page.goto(f"{page.base_url}/?run={run_id}")
    wait_status(page, "Finished", timeout=20_000)
    page.click("[data-tab=train]")
    page.wait_for_function("Number(document.querySelector('#chart-grad').dataset.points || 0) >= 2", timeout=20_000)
    page.wait_for_function("Number(document.querySelector('#chart-hist').dataset.snapshots || 0) >= 2")
    page.wait_for_function(BLUE_CURVE, timeout=20_000)
    shot(page, "fit-curve-reopened", full_page=True)


def test_draw_shift_moves_the_seen_digit(page, shot):
    body = {"spec": MLP_MNIST, "dataset": "mnist", "steps": 60, "batch_size": 64, "optimizer": "adam", "lr": 0.003}
    run_id = start_run(page.base_url, body)
    wait_finished(page.base_url, [run_id], timeout=60)
    open_page(page)
    page.click("[data-tab=draw]")
    page.wait_for_selector(f"#draw-target option[value='run:{run_id}']", state="attached", timeout=10_000)
    page.select_option("#draw-target", f"run:{run_id}")
    draw_one(page)
    page.wait_for_function("document.querySelector('#inv-moved').dataset.shift === '0,0'", timeout=20_000)
    before = page.evaluate("document.querySelector('#inv-moved').toDataURL()")
    for _ in range(4):
        page.click("#inv-right")
    page.wait_for_function("document.querySelector('#inv-moved').dataset.shift === '4,0'", timeout=20_000)
    after = page.evaluate("document.querySelector('#inv-moved').toDataURL()")
    assert after != before
    # the ink moved right: compare the ink's mean column before and after
    cols = page.evaluate("""() => ['#inv-original', '#inv-moved'].map(sel => {
        const c = document.querySelector(sel);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let s = 0, n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] > 128) { s += (i / 4) % c.width; n += 1; }
        return s / n;
    })""")
    assert cols[1] - cols[0] == pytest.approx(4, abs=0.6)
    assert "transformed:" in page.text_content("#inv-moved-cap")
    shot(page, "draw-invariance", full_page=True)
