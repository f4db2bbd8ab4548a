"""QA leftovers in real Chromium: presets that fit the dataset kind and bring
its training length, a stale ?run= link, deleting the open run, and the
"Cannot reach the server" banner clearing itself once the server answers.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

SMALL = "layers=dense(units:4);relu;dense(units:2)"


def ready(page, url: str):
    page.goto(url)
    page.wait_for_selector("#layer-list .layer", state="attached")


def preset_names(page) -> list[str]:
    return page.eval_on_selector_all("#presets [data-preset]", "bs => bs.map(b => b.dataset.preset)")


def test_presets_fit_the_dataset_and_bring_its_training_length(page):
    ready(page, f"{page.base_url}/#dataset=circle&{SMALL}")
    assert preset_names(page) == ["perceptron", "logistic", "mlp"]
    assert page.input_value("#cfg-epochs") == "1"
    page.click("[data-preset=mlp]")
    # a 500-point set: many epochs of small batches, not one epoch of 8 steps
    page.wait_for_function("Number(document.querySelector('#cfg-epochs').value) > 1")
    assert page.input_value("#cfg-batch") == "16"
    page.select_option("#cfg-dataset", "sin")
    page.wait_for_function("document.querySelectorAll('#presets [data-preset]').length === 2")
    assert preset_names(page) == ["fit1d", "mlp"]
    assert page.text_content("[data-preset=mlp]") == "MLP regression"


def test_a_link_to_a_deleted_run_says_so_and_drops_the_id(page):
    ready(page, f"{page.base_url}/?run=r_gone123#dataset=circle&{SMALL}")
    page.wait_for_selector("#banner:not([hidden])")
    assert "no longer exists" in page.text_content("#banner-text")
    page.wait_for_function("!location.search.includes('run=')")
    assert "dataset=circle" in page.url


def test_deleting_the_open_run_closes_it_at_once(page, server):
    import httpx

    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 4}, {"type": "relu"}, {"type": "dense", "units": 2}], "loss": "softmax_cross_entropy"}
    run_id = httpx.post(f"{server}/api/runs", json={"spec": spec, "dataset": "xor", "steps": 1_000_000, "batch_size": 8}).json()["id"]
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    try:
        ready(page, f"{server}/?run={run_id}&tab=runs")
        page.wait_for_function("/Running|Queued/.test(document.querySelector('#status-text').textContent)", timeout=20_000)
        delete = page.locator(f'[aria-label="Delete run {run_id}"]')
        delete.click()
        page.wait_for_function(f"document.querySelector('[aria-label=\"Delete run {run_id}\"]').textContent === 'Confirm'")
        # The table re-renders on refreshes (here by hand, in use when the run's status changes):
        # the new row's button still remembers the first click.
        page.click("#runs-refresh")
        page.wait_for_timeout(300)
        assert delete.text_content() == "Confirm"
        delete.click()  # confirm
        page.wait_for_function("document.querySelector('#status-text').textContent === 'No run yet'", timeout=5_000)
        assert "run=" not in page.url
        opened = len(sockets)
        page.wait_for_timeout(1200)  # a retrying socket would reconnect within 0.5 s
        assert len(sockets) == opened == 1
    finally:
        httpx.delete(f"{server}/api/runs/{run_id}")


def test_the_unreachable_banner_clears_when_the_server_answers(page):
    ready(page, f"{page.base_url}/#dataset=circle&{SMALL}")
    page.route("**/api/health", lambda route: route.abort())
    page.evaluate("window.dispatchEvent(new Event('focus'))")  # back to the tab: is the server there?
    page.wait_for_selector("#banner:not([hidden])")
    assert "Cannot reach the server" in page.text_content("#banner-text")
    page.unroute("**/api/health")
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.wait_for_selector("#banner", state="hidden")


def test_an_armed_delete_disarms_itself_after_a_few_seconds(page, server):
    # A "Confirm" left standing would turn a much later stray click into a deletion.
    import httpx

    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 2}], "loss": "softmax_cross_entropy"}
    run_id = httpx.post(f"{server}/api/runs", json={"spec": spec, "dataset": "xor", "steps": 2}).json()["id"]
    try:
        ready(page, f"{server}/")
        page.click("[data-tab=runs]")
        delete = page.locator(f'[aria-label="Delete run {run_id}"]')
        delete.click()
        assert delete.text_content() == "Confirm"
        page.wait_for_function(f"document.querySelector('[aria-label=\"Delete run {run_id}\"]').textContent === 'Delete'",
                               timeout=8_000)
        delete.click()  # a first click again, not a confirmation
        page.wait_for_timeout(300)
        assert httpx.get(f"{server}/api/runs/{run_id}").status_code == 200
        assert delete.text_content() == "Confirm"
    finally:
        httpx.delete(f"{server}/api/runs/{run_id}")
