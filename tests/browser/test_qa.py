"""Bugs found by a QA pass, as a student and a teacher would meet them:
a 2-D dataset picked from the select trains long enough to learn; the Draw
model select and the Filters view say something useful for a 2-D run; the link
carries the open tab; a dropped connection is said in words and the page
recovers when the server answers again.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def wait_status(page, pattern: str, timeout: float = 60_000):
    page.wait_for_function(
        "re => new RegExp(re).test(document.querySelector('#status-text').textContent)", arg=pattern, timeout=timeout
    )


def test_2d_dataset_from_the_select_learns_and_other_views_explain_themselves(page, shot):
    page.goto(f"{page.base_url}/")
    page.wait_for_selector("#layer-list .layer")
    page.select_option("#cfg-dataset", "circle")
    # one epoch of 450 points was 8 steps and learned nothing: the switch brings a training length
    page.wait_for_function("location.hash.includes('epochs=100')")
    assert "batch=16" in page.url
    page.click("#btn-start")
    wait_status(page, "Finished")
    page.wait_for_function("/step (\\d{4,})/.test(document.querySelector('#status-progress').textContent)")
    run_id = page.evaluate("new URLSearchParams(location.search).get('run')")
    acc = page.evaluate(f"fetch('/api/runs/{run_id}').then(r => r.json()).then(r => r.final.test.accuracy)")
    assert acc > 0.9, acc

    # the pad cannot use a 2-D model: the select shows its placeholder, not a blank
    page.click("[data-tab=draw]")
    page.wait_for_function("document.querySelector('#draw-target').selectedIndex === 0")
    assert "choose a model" in page.evaluate("document.querySelector('#draw-target').selectedOptions[0].textContent")
    assert "tab=draw" in page.url  # the link opens the view the sender was looking at

    page.click("[data-tab=filters]")
    page.wait_for_function("document.querySelector('#filters-hint').textContent.includes('Train tab')")
    shot(page, "qa-filters-2d")


def test_lost_connection_is_said_in_words_and_the_page_recovers(page, shot):
    state = {"down": False, "routes": []}

    def handler(ws):
        # While "down", every reconnect attempt is refused like a stopped server.
        if state["down"]:
            ws.close(code=1011, reason="server down")
            return
        ws.connect_to_server()
        state["routes"].append(ws)

    page.route_web_socket(re.compile(r"/ws/runs/"), handler)
    page.goto(f"{page.base_url}/#dataset=circle&steps=100000&layers=dense(units:8);relu;dense(units:2)")
    page.wait_for_selector("#layer-list .layer")
    page.click("#btn-start")
    wait_status(page, "Running")
    page.click("#btn-pause")
    wait_status(page, "Paused")

    state["down"] = True
    for route in state["routes"]:
        route.close(code=1011, reason="server down")
    wait_status(page, "server unreachable", timeout=10_000)
    assert page.is_visible("#banner")
    assert "Lost the connection" in page.text_content("#banner-text")
    shot(page, "qa-connection-lost")

    state["down"] = False
    page.wait_for_selector("#banner", state="hidden", timeout=15_000)
    wait_status(page, "^Paused$", timeout=10_000)
    page.click("#btn-stop")
    wait_status(page, "Stopped")


def test_a_run_that_ends_worse_than_guessing_says_so(page):
    # sgd at lr 50 blows the net up; the clipped cross-entropy stays finite, so the
    # server says "finished": the status adds that the loss is worse than chance.
    page.goto(f"{page.base_url}/#dataset=circle&opt=sgd&lr=50&steps=200&batch=16&layers=dense(units:8);relu;dense(units:8);relu;dense(units:2)")
    page.wait_for_selector("#layer-list .layer")
    page.click("#btn-start")
    wait_status(page, "Finished", timeout=30_000)
    wait_status(page, "worse than guessing .*lower learning rate", timeout=10_000)
