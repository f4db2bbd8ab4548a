"""Bugs found by trying the page in a browser (issue 11), each test following
the steps that showed it: a fast second drawing, a stale invariance panel,
the misclassified count on 2-D sets, the live check for the last layer's
width, the top bar's lr box, loading words after a run ends, 409s at start,
clipped labels, run names, and gzip for static files."""

from __future__ import annotations

import time

import httpx
import pytest

pytestmark = pytest.mark.browser

MLP_MNIST = {
    "input_shape": [28, 28, 1],
    "layers": [{"type": "flatten"}, {"type": "dense", "units": 32, "activation": "relu"}, {"type": "dense", "units": 10}],
}
LINEAR_2D = {"input_shape": [2], "layers": [{"type": "dense", "units": 2}], "loss": "softmax_cross_entropy"}


def open_page(page, query: str = ""):
    page.goto(f"{page.base_url}/{query}")
    page.wait_for_selector("#layer-list .layer", state="attached")
    page.wait_for_function("!document.querySelector('#model-summary').textContent.startsWith('Checking')")


def finished_run(base: str, body: dict, timeout: float = 90) -> str:
    r = httpx.post(f"{base}/api/runs", json=body, timeout=10)
    assert r.status_code == 201, r.text
    run_id = r.json()["id"]
    deadline = time.monotonic() + timeout
    while httpx.get(f"{base}/api/runs/{run_id}", timeout=10).json()["status"] != "finished":
        assert time.monotonic() < deadline, f"run {run_id} did not finish"
        time.sleep(0.3)
    return run_id


def stroke(page, x0: float, x1: float, y0: float, y1: float):
    box = page.locator("#pad").bounding_box()
    bx, by, w = box["x"], box["y"], box["width"]
    page.mouse.move(bx + x0 * w, by + y0 * w)
    page.mouse.down()
    for t in range(1, 11):
        f = t / 10
        page.mouse.move(bx + (x0 + (x1 - x0) * f) * w, by + (y0 + (y1 - y0) * f) * w)
    page.mouse.up()


# The activations answer sends its headers at once and its body 400 ms later,
# so a second drawing aborts the first request while its body is being read.
SLOW_BODY = """() => {
  const real = window.fetch;
  window.fetch = async (...args) => {
    const res = await real(...args);
    if (!String(args[0]).includes('/activations')) return res;
    const text = await res.text();
    const signal = args[1] && args[1].signal;
    const body = new ReadableStream({
      start(ctrl) {
        const timer = setTimeout(() => { ctrl.enqueue(new TextEncoder().encode(text)); ctrl.close(); }, 400);
        if (signal) signal.addEventListener('abort', () => { clearTimeout(timer); ctrl.error(new DOMException('aborted', 'AbortError')); });
      },
    });
    return new Response(body, { status: res.status, headers: res.headers });
  };
}"""


@pytest.fixture(scope="module")
def mnist_run(server):
    body = {"spec": MLP_MNIST, "dataset": "mnist", "steps": 60, "batch_size": 64, "optimizer": "adam", "lr": 0.003}
    return finished_run(server, body)


def open_draw(page, run_id: str):
    open_page(page)
    page.click("[data-tab=draw]")
    page.wait_for_selector(f"#draw-target option[value='run:{run_id}']", state="attached", timeout=10_000)
    page.select_option("#draw-target", f"run:{run_id}")


def test_quick_drawings_do_not_raise_a_null_banner(page, mnist_run):
    open_draw(page, mnist_run)
    page.evaluate(SLOW_BODY)
    for i in range(4):
        stroke(page, 0.3 + 0.1 * i, 0.3 + 0.1 * i, 0.2, 0.8)
        page.wait_for_timeout(300)  # the full request starts 220 ms after the stroke and is cut by the next
    page.wait_for_function("document.querySelector('#pred-label').textContent !== ''", timeout=20_000)
    page.wait_for_timeout(800)
    assert page.locator("#banner").is_hidden(), page.text_content("#banner-text")


def test_move_the_digit_never_shows_an_earlier_drawing(page, mnist_run):
    open_draw(page, mnist_run)
    stroke(page, 0.5, 0.5, 0.2, 0.8)
    page.wait_for_function("document.querySelector('#inv-moved').dataset.shift === '0,0'", timeout=20_000)
    # A second stroke: at shift 0 the transformed image is the drawing itself, so
    # whenever the panel shows an image it must be the image the model saw for the pad as it is now.
    page.evaluate("""() => {
      window.__stale = 0;
      const same = () => {
        const a = document.querySelector('#inv-original'), b = document.querySelector('#inv-moved');
        if (b.dataset.shift !== '0,0') return;
        if (a.toDataURL() !== b.toDataURL()) window.__stale += 1;
      };
      window.__watch = setInterval(same, 25);
    }""")
    stroke(page, 0.3, 0.7, 0.5, 0.5)
    page.wait_for_timeout(1500)
    stale = page.evaluate("clearInterval(window.__watch), window.__stale")
    assert stale == 0, f"the transformed panel showed the one-stroke digit {stale} times"
    assert page.evaluate("document.querySelector('#inv-moved').dataset.shift") == "0,0"


def test_evaluate_counts_every_misclassified_point(page, server):
    body = {"spec": LINEAR_2D, "dataset": "spiral", "steps": 20, "batch_size": 32, "optimizer": "sgd", "lr": 0.01}
    run_id = finished_run(server, body)
    ev = httpx.get(f"{server}/api/runs/{run_id}/evaluation", timeout=30).json()
    total = sum(map(sum, ev["confusion"]))
    wrong = total - sum(ev["confusion"][i][i] for i in range(len(ev["confusion"])))
    assert wrong > 64  # more than the gallery's limit
    open_page(page, f"?run={run_id}&tab=eval")
    page.wait_for_function("document.querySelector('#mis-count').textContent !== ''", timeout=20_000)
    assert page.text_content("#mis-count").startswith(f"{wrong} misclassified points")


def test_the_live_check_names_a_last_layer_too_narrow_for_the_classes(page):
    open_page(page, "#dataset=mnist&layers=flatten;dense(units:5)")
    summary = page.text_content("#model-summary")
    assert "10 classes" in summary, summary
    layer = page.locator("#layer-list .layer").nth(1)
    assert "has-error" in layer.get_attribute("class")
    assert "needs at least 10" in layer.locator("[data-error]").text_content()
    page.click("#btn-start")
    page.wait_for_selector("#banner:not([hidden])")
    assert "Fix the model first" in page.text_content("#banner-text")


def test_the_top_bar_lr_box_says_what_is_wrong_and_clears(page, server):
    body = {"spec": LINEAR_2D, "dataset": "circle", "steps": 1_000_000, "batch_size": 8, "optimizer": "sgd", "lr": 0.1}
    run_id = httpx.post(f"{server}/api/runs", json=body, timeout=10).json()["id"]
    try:
        open_page(page, f"?run={run_id}")
        page.wait_for_function("/Running/.test(document.querySelector('#status-text').textContent)", timeout=20_000)
        page.fill("#live-lr", "-5")
        page.wait_for_selector("#banner:not([hidden])")
        assert "learning rate" in page.text_content("#banner-text").lower()
        assert page.get_attribute("#live-lr", "aria-invalid") == "true"
        page.fill("#live-lr", "0.05")
        page.wait_for_selector("#banner", state="hidden")
        page.wait_for_function("() => fetch(location.pathname.replace(/\\/$/, '') + '/api/runs/' + new URLSearchParams(location.search).get('run')).then(r => r.json()).then(r => r.config.lr === 0.05)")
        assert page.get_attribute("#live-lr", "aria-invalid") in (None, "false")
    finally:
        httpx.delete(f"{server}/api/runs/{run_id}", timeout=10)


def test_no_409_at_run_start_and_views_say_loading(page, shot):
    failed: list[str] = []
    page.on("response", lambda r: r.status == 409 and failed.append(r.url))
    open_page(page, "#dataset=circle&steps=300&layers=dense(units:8);tanh;dense(units:2)")
    page.click("#btn-start")
    page.wait_for_function("/Finished/.test(document.querySelector('#status-text').textContent)", timeout=60_000)
    # straight to Evaluate: it says it is loading, never "appears when a run finishes"
    page.click("[data-tab=eval]")
    assert "appears when a run finishes" not in page.text_content("#eval-hint")
    page.wait_for_selector("#eval-body:not([hidden])", timeout=20_000)
    page.click("[data-tab=filters]")
    assert "appears when a run finishes" not in page.text_content("#filters-hint")
    assert not failed, f"409 answers: {failed}"


def test_labels_are_not_clipped(page):
    open_page(page, "#dataset=circle&layers=dense(units:8);tanh;dense(units:2)")
    # the initializer select shows its longest option whole
    fits = page.evaluate("""() => {
      const s = document.querySelector('#cfg-init');
      const c = document.createElement('canvas').getContext('2d');
      c.font = getComputedStyle(s).font;
      const longest = Math.max(...[...s.options].map(o => c.measureText(o.text).width));
      const pad = parseFloat(getComputedStyle(s).paddingLeft) + parseFloat(getComputedStyle(s).paddingRight);
      return [longest, s.clientWidth - pad - 16];
    }""")
    assert fits[0] <= fits[1], f"option text {fits[0]:.0f}px in a {fits[1]:.0f}px select"


def test_static_files_are_gzipped(server):
    r = httpx.get(f"{server}/static/js/main.js", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert r.status_code == 200
    assert r.headers.get("content-encoding") == "gzip"
    page = httpx.get(f"{server}/", headers={"Accept-Encoding": "gzip"}, timeout=10)
    assert page.headers.get("content-encoding") == "gzip"


def test_runs_have_names_models_and_a_compare_of_three(page, server, shot):
    open_page(page, "#dataset=circle&steps=40&batch=16&lr=0.05&opt=sgd&layers=dense(units:6);tanh;dense(units:2)")
    page.fill("#run-name", "six tanh units")
    page.click("#btn-start")
    page.wait_for_function("/Finished/.test(document.querySelector('#status-text').textContent)", timeout=60_000)
    named = page.evaluate("new URLSearchParams(location.search).get('run')")
    assert httpx.get(f"{server}/api/runs/{named}", timeout=10).json()["name"] == "six tanh units"
    spec = {"input_shape": [2], "layers": [{"type": "dense", "units": 4}, {"type": "relu"}, {"type": "dense", "units": 2}], "loss": "softmax_cross_entropy"}
    others = [finished_run(server, {"spec": spec, "dataset": "circle", "steps": 30, "batch_size": 8, "optimizer": "adam", "lr": lr, "name": f"relu lr {lr}"}) for lr in (0.01, 0.1)]
    page.click("[data-tab=runs]")
    row = page.locator(f'tr[data-run="{named}"]')
    row.wait_for()
    text = row.text_content()
    assert "six tanh units" in text and "dense 6 \u00b7 tanh \u00b7 dense 2" in text and "sgd \u00b7 lr 0.05 \u00b7 batch 16 \u00b7 40 steps" in text
    for run_id in [named, *others]:
        page.check(f'tr[data-run="{run_id}"] input[type=checkbox]')
    page.wait_for_function("document.querySelectorAll('#compare-legend li').length === 3")
    legend = page.text_content("#compare-legend")
    assert "relu lr 0.01" in legend and "adam \u00b7 lr 0.1" in legend and "dense 4 \u00b7 ReLU \u00b7 dense 2" in legend
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "runs-compare-three", full_page=True)


# The page's own renderers with Chromium's real font metrics: every label drawn
# by fillText must fit in its canvas (150k-step ticks, "100.0%" beside a full bar).
LABELS_FIT = """async () => {
  const { drawLineChart } = await import('/static/js/render/lineChart.js');
  const { drawBars } = await import('/static/js/render/bars.js');
  const { fmtPct } = await import('/static/js/format.js');
  const out = [];
  const check = (width, height, draw) => {
    const c = document.createElement('canvas');
    c.width = width; c.height = height;
    const ctx = c.getContext('2d');
    const real = ctx.fillText.bind(ctx);
    ctx.fillText = (text, x, y) => {
      const w = ctx.measureText(text).width;
      const left = ctx.textAlign === 'right' || ctx.textAlign === 'end' ? x - w : ctx.textAlign === 'center' ? x - w / 2 : x;
      if (left < -0.5 || left + w > width + 0.5) out.push(`${text} at ${left.toFixed(1)}..${(left + w).toFixed(1)} of ${width}`);
      real(text, x, y);
    };
    draw(ctx);
  };
  const points = Array.from({ length: 60 }, (_, i) => [(i + 1) * 2500, 1 / (i + 1)]);
  check(300, 160, (ctx) => drawLineChart(ctx, { series: [{ label: 'train', color: '#000', points }] }, { width: 300, height: 160, yMin: 0, xLabel: 'step' }));
  check(260, 200, (ctx) => drawBars(ctx, { values: [1, 0.998, 0.5, 1], best: 0, worst: 2 }, { width: 260, height: 200, max: 1, format: (v) => fmtPct(v) }));
  return out;
}"""


def test_chart_labels_fit_with_real_fonts(page):
    open_page(page)
    assert page.evaluate(LABELS_FIT) == []
