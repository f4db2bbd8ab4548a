"""Watching a run learn (issue 11): slow motion holds about the set rate, the
unit-by-unit view changes while a slowed-down run trains, Step runs one step,
a pause and an lr change are marked on the charts, hovering a unit names its
weights; a 1-D run shows each unit's curve. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
import time

import httpx
import pytest

pytestmark = pytest.mark.browser

CIRCLE = "#dataset=circle&steps=5000&batch=16&opt=adam&lr=0.03&speed=10&layers=dense(units:6);tanh;dense(units:4);relu;dense(units:2)"


def open_page(page, fragment: str):
    page.goto(f"{page.base_url}/{fragment}")
    page.wait_for_selector("#layer-list .layer", state="attached")
    page.wait_for_function("!document.querySelector('#model-summary').textContent.startsWith('Checking')")


def server_step(base: str, run_id: str) -> int:
    return httpx.get(f"{base}/api/runs/{run_id}", timeout=10).json()["progress"]["step"]


def test_slow_motion_neurons_change_while_the_run_trains(page, shot):
    open_page(page, CIRCLE)
    assert page.input_value("#run-speed") == "10"
    page.click("#btn-start")
    page.wait_for_function("/Running/.test(document.querySelector('#status-text').textContent)", timeout=20_000)
    run_id = page.evaluate("new URLSearchParams(location.search).get('run')")
    try:
        assert httpx.get(f"{page.base_url}/api/runs/{run_id}", timeout=10).json()["config"]["steps_per_second"] == 10
        # the units appear early, from the first snapshots, and change from step to step
        page.wait_for_function("Number(document.querySelector('#neurons').dataset.step || 0) >= 1", timeout=20_000)
        first = page.evaluate("[document.querySelector('#neurons').dataset.step, document.querySelector('#neurons').toDataURL()]")
        assert int(first[0]) < 40  # watched from (nearly) the start
        # about the set rate: 10 steps per second, measured on the server
        s0, t0 = server_step(page.base_url, run_id), time.monotonic()
        page.wait_for_timeout(3000)
        rate = (server_step(page.base_url, run_id) - s0) / (time.monotonic() - t0)
        assert 7 <= rate <= 12, rate
        later = page.evaluate("[document.querySelector('#neurons').dataset.step, document.querySelector('#neurons').toDataURL()]")
        assert int(later[0]) > int(first[0]) and later[1] != first[1]
        shot(page, "neurons-slow-motion", full_page=True)

        # hover a hidden unit: its incoming weights in words
        box = page.locator("#neurons").bounding_box()
        found = False
        # four columns (inputs, two hidden layers, output): the first hidden layer's centre is at 3/8
        for fx in (0.375,):
            for fy in [i / 50 for i in range(5, 50)]:
                page.mouse.move(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
                if page.text_content("#neurons-info").startswith("Layer 0, unit"):
                    found = True
                    break
            if found:
                break
        assert found, page.text_content("#neurons-info")
        assert re.search(r"z = .*x\u2081.*x\u2082", page.text_content("#neurons-info"))

        # pause: Step runs exactly one step in slow motion; the pause is marked on the loss chart
        page.click("#btn-pause")
        page.wait_for_function("/Paused/.test(document.querySelector('#status-text').textContent)", timeout=10_000)
        assert page.text_content("#btn-step") == "Step 1"
        page.wait_for_timeout(500)
        before = server_step(page.base_url, run_id)
        page.click("#btn-step")
        deadline = time.monotonic() + 10
        while server_step(page.base_url, run_id) == before and time.monotonic() < deadline:
            time.sleep(0.1)
        page.wait_for_timeout(800)
        assert server_step(page.base_url, run_id) == before + 1
        assert int(page.get_attribute("#chart-loss", "data-marks")) >= 1
        # full speed again from the top bar while paused, a new lr, then resume: the lr change is marked too
        page.select_option("#run-speed", "0")
        page.wait_for_function(
            "id => fetch('/api/runs/' + id).then(r => r.json()).then(r => r.config.steps_per_second === null)", arg=run_id, timeout=10_000)
        page.fill("#live-lr", "0.01")
        page.wait_for_function(
            "id => fetch('/api/runs/' + id).then(r => r.json()).then(r => r.config.lr === 0.01)", arg=run_id, timeout=10_000)
        page.click("#btn-pause")  # resume
        page.wait_for_function("Number(document.querySelector('#chart-loss').dataset.marks || 0) >= 2", timeout=20_000)
        shot(page, "charts-marks")
    finally:
        httpx.post(f"{page.base_url}/api/runs/{run_id}/stop", timeout=10)


def test_a_1d_run_draws_each_unit_curve(page, shot):
    open_page(page, "#dataset=sin&steps=400&batch=16&opt=adam&lr=0.02&layers=dense(units:5);tanh;dense(units:1)")
    page.click("#btn-start")
    page.wait_for_function("/Finished/.test(document.querySelector('#status-text').textContent)", timeout=60_000)
    page.wait_for_function("document.querySelector('#neurons').dataset.step !== undefined && document.querySelector('#neurons').dataset.step !== ''", timeout=20_000)
    assert page.locator("#neurons-card").is_visible()
    page.wait_for_function("Number(document.querySelector('#fit-chart').dataset.points || 0) >= 100", timeout=20_000)
    # universal approximation: five contributions w2_j h_j(x) and their sum
    page.wait_for_function("document.querySelector('#fit-parts').dataset.parts === '5'", timeout=20_000)
    assert "5 units" in page.text_content("#fit-parts-text")
    shot(page, "neurons-1d", full_page=True)


def test_input_features_let_one_linear_layer_fit_the_circle(page, shot):
    open_page(page, "#dataset=circle&steps=300&batch=16&opt=adam&lr=0.05&layers=dense(units:2)")
    assert page.locator("#features-box").is_visible()
    for name, on in (("x1", False), ("x2", False), ("x1_sq", True), ("x2_sq", True)):
        page.set_checked(f"[data-feature={name}]", on)
    page.wait_for_function("location.hash.includes('features(')")
    page.wait_for_function("!document.querySelector('#model-summary').textContent.startsWith('Checking')")
    assert page.locator("#layer-list .layer").first.get_attribute("data-type") == "features"
    assert "output 2" in page.text_content("#model-summary")
    page.click("#btn-start")
    page.wait_for_function("/Finished/.test(document.querySelector('#status-text').textContent)", timeout=60_000)
    run_id = page.evaluate("new URLSearchParams(location.search).get('run')")
    run = httpx.get(f"{page.base_url}/api/runs/{run_id}", timeout=10).json()
    assert run["final"]["test"]["accuracy"] > 0.95
    units = httpx.get(f"{page.base_url}/api/runs/{run_id}/units", timeout=10)
    assert units.status_code == 409 or units.json()["layers"] == []  # no hidden layer: nothing between
    # a preset keeps the chosen features in front of its layers
    page.click("[data-tab=build]")
    page.click("[data-preset=mlp]")
    page.wait_for_function("document.querySelector('#layer-list .layer').dataset.type === 'features'")
    page.click("#btn-start")
    page.wait_for_function("/Running|Finished/.test(document.querySelector('#status-text').textContent)", timeout=20_000)
    page.wait_for_function("Number(document.querySelector('#neurons').dataset.step || 0) >= 1", timeout=30_000)
    shot(page, "neurons-features", full_page=True)
