"""Classroom mode in real Chromium: a teacher and a student in two browser
contexts against one tokens-mode server. The teacher opens the class page
through the teacher link, pins a student's run, a tab and a lab; the student's
page follows within a second, can unfollow and follow again, and cannot steer
the run it watches."""

from __future__ import annotations

import time

import httpx
import pytest

pytestmark = pytest.mark.browser
TEACHER = "browser-test-teacher-token-0123456789abcdef"
FOLLOW_S = 1.0  # the "within a second"


@pytest.fixture(scope="module")
def room(server_with):
    return server_with(PLAYGROUND_AUTH="tokens", PLAYGROUND_TEACHER_TOKEN=TEACHER)


def new_page(browser, errors):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page


def test_teacher_pins_and_the_student_follows(browser, room, shot):
    errors: list[str] = []
    s_ctx, student = new_page(browser, errors)
    t_ctx, teacher = new_page(browser, errors)
    try:
        # A first visit gets a session without asking; the page says whose it is.
        student.goto(room + "/")
        student.wait_for_selector("#who:not([hidden])")
        name = student.inner_text("#who")
        assert name.startswith("Student")
        assert "HttpOnly" not in student.evaluate("document.cookie")  # the token is not readable by scripts
        assert student.evaluate("document.cookie") == ""
        student.wait_for_selector("#follow-bar:not([hidden])")
        assert "not presenting" in student.inner_text("#follow-text")

        # The student starts a long run on a 2-D set from the page.
        student.goto(room + "/#dataset=xor&steps=1000000&batch=8")
        student.wait_for_selector("#btn-start:not([disabled])")
        student.click("#btn-start")
        student.wait_for_function("document.querySelector('#status-text').textContent.startsWith('Running')", timeout=30000)
        run_id = student.evaluate("new URLSearchParams(location.search).get('run')")
        assert run_id

        # The teacher link logs the teacher in and leaves the address bar clean.
        teacher.goto(f"{room}/class#token={TEACHER}")
        teacher.wait_for_selector(f".tile[data-run='{run_id}']", timeout=15000)
        assert "token" not in teacher.url
        tile = teacher.inner_text(f".tile[data-run='{run_id}']")
        assert name in tile and "dense" in tile
        shot(teacher, "class-page")

        # Someone else's page: a third visitor cannot steer the run.
        o_ctx, other = new_page(browser, errors)
        other.goto(f"{room}/?run={run_id}&tab=train")
        other.wait_for_function("document.querySelector('#status-text').textContent.includes('watching')", timeout=15000)
        assert other.is_disabled("#btn-pause") and other.is_disabled("#btn-stop")
        o_ctx.close()

        # Pin a tab: the student's page switches within a second.
        student.click("#tab-build")
        teacher.select_option("#pin-tab", "learn")
        t0 = time.monotonic()
        teacher.click("#pin-tab-go")
        student.wait_for_selector("#view-learn:not([hidden])", timeout=5000)
        # One poll period plus the click's own round trip and the browser driver's latency (a loaded CI box).
        assert time.monotonic() - t0 < FOLLOW_S + 1.0
        assert "learn tab" in student.inner_text("#follow-text")

        # Pin the run: the student's page opens it in Train.
        student.click("#tab-build")
        t0 = time.monotonic()
        teacher.click(f".tile[data-run='{run_id}'] button:has-text('Show')")
        student.wait_for_selector("#view-train:not([hidden])", timeout=5000)
        assert time.monotonic() - t0 < FOLLOW_S + 1.0
        shot(student, "class-student-following")

        # Unfollow: a new pin does not move the page; follow again: it does.
        student.click("#follow-toggle")
        assert "Not following" in student.inner_text("#follow-text")
        httpx.put(f"{room}/api/class/pin", json={"kind": "tab", "target": "runs"},
                  headers={"Authorization": f"Bearer {TEACHER}"}).raise_for_status()
        time.sleep(FOLLOW_S)
        assert student.is_hidden("#view-runs")
        student.click("#follow-toggle")
        student.wait_for_selector("#view-runs:not([hidden])", timeout=5000)

        # A lab pin opens the Learn tab at that lab.
        httpx.put(f"{room}/api/class/pin", json={"kind": "lab", "target": "perc"},
                  headers={"Authorization": f"Bearer {TEACHER}"}).raise_for_status()
        student.wait_for_selector("#view-learn:not([hidden])", timeout=5000)
        student.wait_for_selector("section.lab.pinned", timeout=5000)

        # The teacher stops the student's run from the class page.
        teacher.click(f".tile[data-run='{run_id}'] button:has-text('Stop')")
        student.wait_for_function("document.querySelector('#status-text').textContent.startsWith('Stopped')",
                                  timeout=30000)
    finally:
        s_ctx.close()
        t_ctx.close()
    assert not errors, errors


def test_class_page_refuses_students(browser, room):
    errors: list[str] = []
    ctx, page = new_page(browser, errors)
    try:
        page.goto(room + "/class")
        page.wait_for_selector("text=This page is the teacher's")
    finally:
        ctx.close()
    assert not errors, errors


def test_class_page_tiles_leaderboard_and_sparklines(browser, room, shot):
    """Three students' finished runs and one still training: the leaderboard is
    ordered by test accuracy and every tile's sparkline is drawn."""
    api = httpx.Client(base_url=room + "/api", timeout=30)
    teacher = {"Authorization": f"Bearer {TEACHER}"}
    runs = []
    for name, units, lr in [("Ada", 16, 0.1), ("Ben", 2, 0.05), ("Chen", 8, 0.3)]:
        token = api.post("/session", json={"name": name}).json()["token"]
        body = {"spec": {"input_shape": [2], "layers": [{"type": "dense", "units": units, "activation": "tanh"},
                                                         {"type": "dense", "units": 2}]},
                "dataset": "circle", "dataset_params": {"n_samples": 400, "noise": 0.1},
                "epochs": 15, "batch_size": 16, "lr": lr, "name": f"{name}'s circle"}
        runs.append(api.post("/runs", json=body, headers={"Authorization": f"Bearer {token}"}).json())
    deadline = time.monotonic() + 90
    while any(api.get(f"/runs/{r['id']}", headers=teacher).json()["status"] != "finished" for r in runs):
        assert time.monotonic() < deadline
        time.sleep(0.3)
    dee = api.post("/session", json={"name": "Dee"}).json()["token"]
    api.post("/runs", json={"spec": {"input_shape": [2], "layers": [{"type": "dense", "units": 8, "activation": "relu"},
                                                                    {"type": "dense", "units": 2}]},
                            "dataset": "spiral", "steps": 1_000_000, "batch_size": 8, "lr": 0.03,
                            "name": "Dee's spiral"}, headers={"Authorization": f"Bearer {dee}"})
    errors: list[str] = []
    ctx, page = new_page(browser, errors)
    try:
        page.goto(f"{room}/class#token={TEACHER}")
        page.wait_for_selector("#board-body tr:nth-child(3)", timeout=15000)
        accuracies = [float(t.rstrip("%")) for t in page.locator("#board-body td.num").all_inner_texts()]
        assert accuracies == sorted(accuracies, reverse=True) and len(accuracies) >= 3
        page.wait_for_function("[...document.querySelectorAll('.tile')].some(t => t.textContent.includes('Dee'))",
                               timeout=15000)
        time.sleep(2)  # a few refreshes: Dee's sparkline has points
        drawn = page.evaluate("""[...document.querySelectorAll('.tile canvas')].map(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0; return n; })""")
        assert len(drawn) >= 4 and all(n > 50 for n in drawn), drawn
        shot(page, "class-page-full", full_page=True)
    finally:
        ctx.close()
    assert not errors, errors
