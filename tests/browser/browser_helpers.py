"""Helpers shared by the browser tests: runs started and awaited over HTTP, and a
digit drawn on the Draw tab's pad."""

from __future__ import annotations

import time

import httpx


def start_run(base: str, body: dict) -> str:
    """POST /api/runs with body; the new run's id."""
    r = httpx.post(f"{base}/api/runs", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def wait_finished(base: str, ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while any(httpx.get(f"{base}/api/runs/{i}", timeout=10).json()["status"] != "finished" for i in ids):
        assert time.monotonic() < deadline, f"runs {ids} did not finish"
        time.sleep(0.3)


def draw_one(page, x_start: float = 0.5) -> None:
    """A '1' on #pad: one stroke down from (x_start, 0.2) to (0.5, 0.8) of the pad's width."""
    box = page.locator("#pad").bounding_box()
    x0, y0, w = box["x"], box["y"], box["width"]
    page.mouse.move(x0 + x_start * w, y0 + 0.2 * w)
    page.mouse.down()
    for t in range(1, 13):
        page.mouse.move(x0 + 0.5 * w, y0 + (0.2 + 0.05 * t) * w)
    page.mouse.up()
