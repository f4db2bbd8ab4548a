"""The Runs view's export menu in real Chromium: it opens, lists the three
formats, and its ONNX item downloads a file onnxruntime runs (playwright's
download API); a run that has no weights yet reports the server's reason."""

from __future__ import annotations

import time

import numpy as np
import pytest

pytestmark = pytest.mark.browser

CNN = {"input_shape": [28, 28, 1], "layers": [
    {"type": "conv2d", "filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"},
    {"type": "maxpool2d"}, {"type": "flatten"}, {"type": "dense", "units": 10}]}


def _finished_run(base: str) -> dict:
    import httpx

    body = {"spec": CNN, "dataset": "mnist", "steps": 20, "batch_size": 16, "lr": 0.05, "seed": 0, "name": "export me"}
    run = httpx.post(f"{base}/api/runs", json=body, timeout=30).json()
    deadline = time.monotonic() + 90
    while run["status"] not in ("finished", "failed", "stopped"):
        assert time.monotonic() < deadline, run
        time.sleep(0.2)
        run = httpx.get(f"{base}/api/runs/{run['id']}").json()
    assert run["status"] == "finished", run
    return run


def test_export_menu_downloads_onnx(page, shot, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    run = _finished_run(page.base_url)
    page.goto(page.base_url + "/")
    page.click("#tab-runs")
    menu = page.locator(f'details.export-menu[data-run="{run["id"]}"]')
    menu.locator("summary").click()
    items = menu.locator("button[data-format]")
    assert items.evaluate_all("bs => bs.map(b => b.dataset.format)") == ["onnx", "pytorch", "zip"]
    assert menu.locator(".export-list").is_visible()
    shot(page, "export-menu")
    with page.expect_download() as info:
        menu.locator('button[data-format="onnx"]').click()
    download = info.value
    assert download.suggested_filename == f"run-{run['id']}.onnx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).random((2, 28, 28, 1), dtype=np.float32)
    proba = session.run(["probabilities"], {"input": x})[0]
    assert proba.shape == (2, 10) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    # the menu closes after a download; Escape and a click elsewhere close it too
    is_open = f"document.querySelector('details.export-menu[data-run=\"{run['id']}\"]').open"
    page.wait_for_function(f"!{is_open}")
    menu.locator("summary").click()
    assert page.evaluate(is_open)
    page.keyboard.press("Escape")
    assert not page.evaluate(is_open)
    menu.locator("summary").click()
    page.click("#view-runs h2")
    assert not page.evaluate(is_open)


def test_export_of_a_run_without_weights_shows_why(page):
    import httpx

    page.route("**/api/runs/*/export?format=pytorch",
               lambda route: route.fulfill(status=409, content_type="application/json",
                                           body='{"detail": "run \'r_x\' has no weights yet (no checkpoint written)"}'))
    run = _finished_run(page.base_url)
    page.goto(page.base_url + "/")
    page.click("#tab-runs")
    menu = page.locator(f'details.export-menu[data-run="{run["id"]}"]')
    menu.locator("summary").click()
    menu.locator('button[data-format="pytorch"]').click()
    page.wait_for_function("document.body.innerText.includes('has no weights yet')", timeout=10_000)
    assert httpx.get(f"{page.base_url}/api/runs/{run['id']}/export?format=pytorch").status_code == 200
