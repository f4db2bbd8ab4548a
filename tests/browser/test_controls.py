"""Run controls in real Chromium: pause, step, change the learning rate of a
running run, resume, stop; uploading a .npz dataset; importing an exported
model and predicting a drawn digit with it.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

pytestmark = pytest.mark.browser

MLP = "layers=flatten;dense(units:32);relu;dense(units:10)"


def status_is(page, pattern: str, timeout: float = 60_000):
    page.wait_for_function(
        "re => new RegExp(re).test(document.querySelector('#status-text').textContent)", arg=pattern, timeout=timeout
    )


def current_step(page) -> int:
    m = re.search(r"step (\d+)", page.text_content("#status-progress"))
    return int(m.group(1)) if m else 0


def test_pause_step_live_lr_resume_stop(page, shot):
    import httpx

    page.goto(f"{page.base_url}/#dataset=mnist&steps=20000&batch=16&opt=sgd&lr=0.01&{MLP}")
    page.wait_for_selector("#layer-list .layer")
    page.click("#btn-start")
    status_is(page, "Running")
    page.wait_for_function("document.querySelector('#status-progress').textContent.includes('step')")
    page.click("#btn-pause")
    status_is(page, "Paused")
    assert page.text_content("#btn-pause").strip().endswith("Resume")
    page.wait_for_timeout(300)
    before = current_step(page)
    page.click("#btn-step")
    page.wait_for_function(
        "n => { const m = /step (\\d+)/.exec(document.querySelector('#status-progress').textContent); return m && Number(m[1]) >= n; }",
        arg=before + 10,
        timeout=20_000,
    )
    status_is(page, "Paused")

    run_id = page.evaluate("document.querySelector('#draw-target').value").split(":")[1]
    page.fill("#live-lr", "0.05")
    lr_applied = False
    for _ in range(40):
        run = httpx.get(f"{page.base_url}/api/runs/{run_id}").json()
        if abs(run["config"]["lr"] - 0.05) < 1e-12:
            lr_applied = True
            break
        page.wait_for_timeout(150)
    assert lr_applied, run["config"]
    assert "lr=0.05" in page.url  # the new lr is part of the shareable setup too

    page.click("#btn-pause")  # now "Resume"
    status_is(page, "Running")
    shot(page, "controls-running")
    page.click("#btn-stop")
    status_is(page, "Stopped")
    assert page.is_enabled("#btn-start") and not page.is_enabled("#btn-stop")


def test_upload_npz_dataset_and_import_a_model(page, server, tmp_path):
    import httpx

    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    npz = tmp_path / "halves.npz"
    np.savez(npz, x=x, y=y)
    page.goto(f"{page.base_url}/")
    page.wait_for_selector("#layer-list .layer")
    page.set_input_files("#cfg-upload", str(npz))
    page.wait_for_function("document.querySelector('#cfg-dataset').value.startsWith('upload:')")
    assert page.locator("#layer-list .layer").first.get_attribute("data-type") == "dense"

    # an exported run comes back as an imported model usable on the draw pad
    spec = {"input_shape": [28, 28, 1], "layers": [{"type": "flatten"}, {"type": "dense", "units": 10}], "loss": "softmax_cross_entropy"}
    run = httpx.post(f"{server}/api/runs", json={"spec": spec, "dataset": "mnist", "steps": 30, "batch_size": 32}).json()
    for _ in range(100):
        if httpx.get(f"{server}/api/runs/{run['id']}").json()["status"] == "finished":
            break
        page.wait_for_timeout(200)
    zip_path = tmp_path / "model.zip"
    zip_path.write_bytes(httpx.get(f"{server}/api/runs/{run['id']}/export").content)
    page.click("[data-tab=draw]")
    page.set_input_files("#model-import", str(zip_path))
    page.wait_for_function("document.querySelector('#draw-target').value.startsWith('model:')")
    box = page.locator("#pad").bounding_box()
    page.mouse.move(box["x"] + 140, box["y"] + 50)
    page.mouse.down()
    for t in range(12):
        page.mouse.move(box["x"] + 140, box["y"] + 60 + 15 * t)
    page.mouse.up()
    page.wait_for_function("document.querySelector('#pred-label').textContent.length > 0", timeout=20_000)
    page.click("#pad-undo")
    page.wait_for_function("document.querySelector('#pred-label').textContent === ''")


def test_a_queued_run_says_so_with_its_position(page, server):
    import httpx

    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 4}, {"type": "relu"}, {"type": "dense", "units": 2}], "loss": "softmax_cross_entropy"}
    busy = [
        httpx.post(f"{server}/api/runs", json={"spec": spec, "dataset": "xor", "steps": 1_000_000, "batch_size": 8}).json()["id"]
        for _ in range(2)  # the test server runs at most 2 at once
    ]
    try:
        page.goto(f"{server}/#dataset=xor&steps=100")
        page.wait_for_selector("#layer-list .layer")
        page.click("#btn-start")
        status_is(page, r"Queued \(position \d+\)", timeout=20_000)
        assert page.is_enabled("#btn-stop")
        page.click("#btn-stop")
        status_is(page, "Stopped")
    finally:
        for run_id in busy:
            httpx.post(f"{server}/api/runs/{run_id}/stop")
