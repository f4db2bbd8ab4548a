"""The browser playground in real Chromium against a real server: build from a
preset, validation errors next to the layer, the URL reproducing a setup,
training on MNIST with live charts, filters, evaluation, drawing a digit, and a
2-D run's decision boundary. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

LENET_STEPS = "#dataset=mnist&steps=300&batch=32&lr=0.002"


def open_page(page, fragment: str = ""):
    page.goto(f"{page.base_url}/{fragment}")
    page.wait_for_selector("#layer-list .layer")
    # the first validation answer fills the summary
    page.wait_for_function("!document.querySelector('#model-summary').textContent.startsWith('Checking')")


def test_preset_builds_a_cnn_and_the_url_reproduces_it(page, shot):
    open_page(page, "#dataset=mnist&seed=7")
    page.click("[data-preset=mlp]")
    page.click("[data-preset=lenet]")  # a preset also picks its optimizer and lr
    page.fill("#cfg-lr", "0.05")
    layers = page.locator("#layer-list .layer")
    assert layers.count() == 8
    formula = page.locator('.layer[data-index="0"] [data-formula]')
    formula.wait_for()
    assert "(28 - 5 + 2*2)/1 + 1 = 28" in formula.text_content()
    assert "28\u00d728\u00d78" in page.locator('.layer[data-index="0"] [data-info]').text_content()
    page.wait_for_function("location.hash.includes('layers=conv2d(')")
    url = page.url
    assert "lr=0.05" in url and "seed=7" in url
    page.wait_for_function("!document.querySelector('#model-summary').textContent.startsWith('Checking')")
    shot(page, "build", full_page=True)

    # A fresh page from the link shows the same model and settings.
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_selector("#layer-list .layer")
    assert page.locator("#layer-list .layer").count() == 8
    assert page.input_value("#cfg-lr") == "0.05"
    assert page.input_value("#cfg-seed") == "7"
    assert page.input_value('.layer[data-index="3"] [data-param=filters]') == "16"


def test_invalid_layer_shows_the_server_error_next_to_it(page, shot):
    open_page(page, "#layers=conv2d(filters:4,kernel_size:3);flatten;dense(units:10)")
    kernel = page.locator('.layer[data-index="0"] [data-param=kernel_size]')
    kernel.fill("40")
    error = page.locator('.layer[data-index="0"] [data-error]')
    page.wait_for_function("document.querySelector('.layer[data-index=\"0\"] [data-error]').textContent.length > 0")
    text = error.text_content()
    assert "layer 0" in text and "40" in text, text
    assert page.locator('.layer[data-index="0"]').get_attribute("class").count("has-error") == 1
    assert page.locator('.layer[data-index="0"] [data-field=kernel_size]').get_attribute("class").endswith("bad")
    assert page.locator("#btn-start").is_enabled()
    shot(page, "invalid-layer")
    # fixing it clears the error
    kernel.fill("3")
    page.wait_for_function("document.querySelector('.layer[data-index=\"0\"] [data-error]').textContent === ''")


def wait_status(page, pattern: str, timeout: float = 90_000):
    page.wait_for_function(
        "re => new RegExp(re).test(document.querySelector('#status-text').textContent)", arg=pattern, timeout=timeout
    )


def draw_seven(page):
    box = page.locator("#pad").bounding_box()
    x0, y0, w = box["x"], box["y"], box["width"]
    page.mouse.move(x0 + 0.25 * w, y0 + 0.22 * w)
    page.mouse.down()
    for t in range(1, 11):  # the top bar
        page.mouse.move(x0 + (0.25 + 0.05 * t) * w, y0 + 0.22 * w)
    for t in range(1, 13):  # the diagonal stroke
        page.mouse.move(x0 + (0.75 - 0.025 * t) * w, y0 + (0.22 + 0.05 * t) * w)
    page.mouse.up()


def test_train_cnn_on_mnist_live_then_filters_evaluation_and_drawing(page, shot):
    open_page(page, LENET_STEPS)
    page.click("[data-preset=lenet]")
    page.click("#btn-start")
    wait_status(page, "Running|Queued|Finished")
    assert page.get_attribute("[data-tab=train]", "aria-selected") == "true"
    # the loss chart receives points over the websocket while the run goes
    page.wait_for_function("Number(document.querySelector('#chart-loss').dataset.points || 0) >= 5", timeout=60_000)
    shot(page, "training")
    wait_status(page, "Finished", timeout=120_000)
    page.wait_for_function("Number(document.querySelector('#chart-loss').dataset.points) >= 20")
    shot(page, "training-finished")

    page.click("[data-tab=filters]")
    page.wait_for_selector(".filter-card canvas", timeout=20_000)
    assert page.locator(".filter-card").count() == 2  # two conv layers
    shot(page, "filters", full_page=True)

    page.click("[data-tab=eval]")
    page.wait_for_selector("#eval-body:not([hidden])", timeout=30_000)
    assert re.search(r"Test accuracy \d+\.\d%", page.text_content("#eval-hint"))
    assert "Largest gap" in page.text_content("#gap-text")
    shot(page, "evaluation", full_page=True)

    page.click("[data-tab=draw]")
    page.wait_for_function("document.querySelector('#draw-target').value.startsWith('run:')")
    draw_seven(page)
    page.wait_for_function("document.querySelector('#pred-label').textContent.length > 0", timeout=20_000)
    assert re.match(r"\d \(\d+\.\d%\)", page.text_content("#pred-label"))
    page.wait_for_selector("#activations .act-layer", timeout=20_000)
    assert page.locator("#activations .act-layer").count() >= 3
    shot(page, "draw", full_page=True)

    page.click("[data-tab=runs]")
    page.wait_for_selector("#runs-body tr[data-run]")
    shot(page, "runs")


def test_2d_run_shows_its_decision_boundary(page, shot):
    open_page(page, "#dataset=circle&noise=0.05&steps=400&batch=32&lr=0.03")
    page.click("[data-preset=mlp]")
    page.click("#btn-start")
    wait_status(page, "Finished", timeout=60_000)
    page.wait_for_function("Number(document.querySelector('#boundary-grid').dataset.resolution || 0) > 0", timeout=20_000)
    assert page.locator("#boundary-card").is_visible()
    # the heatmap, redrawn from the latest weights, shows both classes' colours
    page.wait_for_function(
        """() => {
        const c = document.querySelector('#boundary-grid');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let orange = 0, blue = 0;
        for (let i = 0; i < d.length; i += 4) {
            if (d[i] > d[i + 2] + 40) orange += 1;
            if (d[i + 2] > d[i] + 40) blue += 1;
        }
        return orange > 50 && blue > 50;
    }""",
        timeout=20_000,
    )
    shot(page, "decision-boundary")


def _circle_run(base: str, lr: float) -> str:
    import httpx

    spec = {
        "input_shape": [2],
        "layers": [{"type": "dense", "units": 8}, {"type": "tanh"}, {"type": "dense", "units": 2}],
        "loss": "softmax_cross_entropy",
    }
    body = {"spec": spec, "dataset": "circle", "steps": 150, "batch_size": 32, "optimizer": "sgd", "lr": lr}
    r = httpx.post(f"{base}/api/runs", json=body, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_runs_list_compares_two_runs_and_tabs_work_from_the_keyboard(page, shot):
    a = _circle_run(page.base_url, 0.5)
    b = _circle_run(page.base_url, 0.01)
    open_page(page)
    page.focus("[data-tab=build]")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    assert page.get_attribute("[data-tab=runs]", "aria-selected") == "true"
    assert page.evaluate("document.activeElement.dataset.tab") == "runs"
    page.wait_for_selector(f'tr[data-run="{a}"]')
    page.wait_for_function(
        "ids => ids.every(id => /Finished/.test(document.querySelector(`tr[data-run=\"${id}\"]`)?.textContent || '') || (document.querySelector('#runs-refresh').click(), false))",
        arg=[a, b],
        timeout=60_000,
        polling=1000,
    )
    page.check(f'tr[data-run="{a}"] input[type=checkbox]')
    page.check(f'tr[data-run="{b}"] input[type=checkbox]')
    page.wait_for_selector("#compare-card:not([hidden])")
    assert a in page.text_content("#compare-names") and b in page.text_content("#compare-names")
    page.evaluate("window.scrollTo(0, 0)")  # a full-page shot of a scrolled page repeats the sticky bar
    shot(page, "runs-compare", full_page=True)
    # deleting asks for a second click, then the row goes
    page.click(f'tr[data-run="{b}"] button:has-text("Delete")')
    assert page.locator(f'tr[data-run="{b}"]').count() == 1
    page.click(f'tr[data-run="{b}"] button:has-text("Confirm")')
    page.wait_for_selector(f'tr[data-run="{b}"]', state="detached")
    # opening a run shows its curves and puts its setup in the URL
    page.click(f'tr[data-run="{a}"] button:has-text("Open")')
    page.wait_for_function("document.querySelector('[data-tab=train]').getAttribute('aria-selected') === 'true'")
    page.wait_for_function("location.hash.includes('dataset=circle') && location.hash.includes('dense(units:8);tanh')")
    assert page.input_value("#cfg-lr") == "0.5"
    # the link names the run: a reload (or a student's browser) follows the same run
    page.wait_for_function("id => location.search.includes('run=' + id)", arg=a)
    page.goto(page.url)
    wait_status(page, "Finished", timeout=20_000)
    page.wait_for_function("document.querySelector('#status-progress').textContent.includes('step 150')")


def test_tablet_layout_has_no_horizontal_scroll(browser, server, shot):
    context = browser.new_context(viewport={"width": 820, "height": 1180}, has_touch=True)
    pg = context.new_page()
    pg.base_url = server
    open_page(pg, "#dataset=xor")
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(pg, "tablet-build")
    context.close()
