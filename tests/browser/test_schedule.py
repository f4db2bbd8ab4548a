"""The learning-rate schedule chosen in Build reaches the run and its step events."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.browser


def test_cosine_schedule_from_the_build_form_decays_the_run_lr(page, server):
    page.goto(f"{server}/#dataset=circle&steps=200&batch=16&lr=0.05&layers=dense(units:4);relu;dense(units:2)")
    page.wait_for_selector("#layer-list .layer", state="attached")
    page.select_option("#cfg-schedule", "cosine")
    page.wait_for_function("location.hash.includes('sched=cosine')")
    page.click("#btn-start")
    page.wait_for_function("/Finished/.test(document.querySelector('#status-text').textContent)", timeout=30_000)
    run_id = page.evaluate("new URLSearchParams(location.search).get('run')")
    runs = httpx.get(f"{server}/api/runs").json()
    run = next(r for r in runs if r["id"] == run_id) if run_id else runs[0]
    assert run["config"]["lr_schedule"] == "cosine"
    points = httpx.get(f"{server}/api/runs/{run['id']}/metrics").json()["points"]
    assert points[0]["lr"] > points[-1]["lr"]
