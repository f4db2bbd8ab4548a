"""The "see the math" labs in real Chromium: stepping through a computation
graph's backward pass (fan-out parts of x*x + x), a syntax error pointed at,
sliding the convolution window to a chosen output cell and reading its sum,
changing the padding and seeing the formula and the grid change, pooling, and
shapes; screenshots go to tests/artifacts/see-math-*.png."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def set_value(page, selector: str, value) -> None:
    """Set an input as a user would and fire `input` (ranges, numbers, text)."""
    page.eval_on_selector(
        selector, "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }", value
    )


def show(page, selector: str) -> None:
    page.eval_on_selector(selector, "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 60)")


def open_learn(page) -> None:
    page.goto(f"{page.base_url}/?tab=learn")
    page.click("#tab-learn")
    page.wait_for_selector("#view-learn:not([hidden])")


def test_graph_backward_pass_and_fan_out(page, shot):
    open_learn(page)
    page.wait_for_function("document.querySelector('#cg-pos').textContent.includes('of 6')", timeout=15_000)
    assert "Start" in page.text_content("#cg-step")
    for _ in range(3):  # the forward pass: x, x*x, x*x + x
        page.click("#cg-next")
    assert "n2 = n1 + n0 = 9 + 3 = 12" in page.text_content("#cg-step")
    page.click("#cg-next")  # backward: the output's seed
    assert "gradient 1" in page.text_content("#cg-step")
    page.click("#cg-next")
    page.click("#cg-next")  # x: three uses
    step = page.text_content("#cg-step")
    assert "used 3 times" in step and "Gradient = 3 + 3 + 1 = 7" in step, step
    assert page.text_content("#cg-pos").startswith("step 6 of 6")
    row = page.text_content("#cg-table tr.current")
    assert row.startswith("n0") and "\u2192 7" in row
    show(page, "#cg-title")
    shot(page, "see-math-graph")
    # scrubbing back hides the gradient again
    set_value(page, "#cg-scrub", 3)
    assert "?" in page.text_content("#cg-table tr[data-node='n0']")

    # several variables: pass counts; a bad expression is pointed at
    set_value(page, "#cg-expr", "tanh(w*x + b)")
    page.wait_for_function("document.querySelector('#cg-cost').textContent.includes('N = 3 inputs')", timeout=10_000)
    assert page.locator("#cg-vars input").count() == 3
    set_value(page, "#cg-expr", "relu(w1*x) * w2 + (w1 - w2)**2")
    page.wait_for_function("document.querySelector('#cg-cost').textContent.includes('N = 3 inputs, M = 10 nodes')", timeout=10_000)
    page.click("#cg-end")
    for _ in range(4):
        page.click("#cg-back")
    show(page, "#cg-title")
    shot(page, "see-math-graph-multi")
    set_value(page, "#cg-expr", "tanh(w*x + ) ")
    page.wait_for_function("!document.querySelector('#cg-caret').hidden", timeout=10_000)
    assert "position 11" in page.text_content("#cg-msg")
    assert page.text_content("#cg-caret").split("\n")[1] == " " * 11 + "^"
    assert "stale" in page.get_attribute("#cg-card", "class")
    shot(page, "see-math-graph-error")


def test_conv_window_sum_and_padding(page, shot):
    open_learn(page)
    page.wait_for_function("document.querySelector('#cv-engine').textContent.includes('V(0, 0)')", timeout=15_000)
    # VALID, 7x7 input, 3x3 kernel: 5x5 output, the formula with live numbers
    assert "= \u230a(7 \u2212 3 + 2\u00b70) / 1\u230b + 1 = 5" in page.text_content("#cv-formula")
    assert "padded input 7\u00d77" in page.text_content("#cv-input-cap")
    # slide to output cell (2, 3) with the scrubber and read its sum
    set_value(page, "#cv-scrub", 2 * 5 + 3)
    assert page.text_content("#cv-pos").startswith("cell (2, 3)")
    sum_lines = page.locator("#cv-sum div").all_text_contents()
    assert sum_lines[0].startswith("V(2, 3) = \u03a3m \u03a3n I(2+m, 3+n) K(m, n) + b")
    engine = float(page.text_content("#cv-engine").split("=")[-1])
    total = float(sum_lines[-1].split("=")[-1])
    assert total == pytest.approx(engine)
    # the same cell by clicking the output map
    page.locator("#cv-output").scroll_into_view_if_needed()
    box = page.locator("#cv-output").bounding_box()
    page.mouse.click(box["x"] + box["width"] * (1.5 / 5), box["y"] + box["height"] * (4.5 / 5))
    assert page.text_content("#cv-pos").startswith("cell (4, 1)")
    show(page, "#cv-title")
    shot(page, "see-math-conv-valid")

    # SAME with stride 2 on an even 6x6 grid: asymmetric padding, new formula and grid
    page.select_option("#cv-size", "6")
    page.select_option("#cv-stride", "2")
    page.select_option("#cv-padding", "same")
    page.wait_for_function("document.querySelector('#cv-formula').textContent.includes('SAME pads')", timeout=10_000)
    formula = page.text_content("#cv-formula")
    assert "0 before, 1 after" in formula and "\u230a(6 \u2212 3 + 0 + 1) / 2\u230b + 1 = 3" in formula
    assert "padded input 7\u00d77" in page.text_content("#cv-input-cap") and "pad top 0, bottom 1" in page.text_content("#cv-input-cap")
    set_value(page, "#cv-scrub", 8)
    sum_lines = page.locator("#cv-sum div").all_text_contents()
    assert sum_lines[0].startswith("V(2, 2) = \u03a3m \u03a3n I(2\u00b72+m, 2\u00b72+n)")
    assert float(sum_lines[-1].split("=")[-1]) == pytest.approx(float(page.text_content("#cv-engine").split("=")[-1]))
    # explicit p = 1: symmetric, the notes' 2p
    page.select_option("#cv-padding", "1")
    page.wait_for_function("document.querySelector('#cv-formula').textContent.includes('2\u00b71')", timeout=10_000)
    assert "padded input 8\u00d78" in page.text_content("#cv-input-cap")

    # several channels and a filter bank: the sum runs over channels
    page.select_option("#cv-channels", "3")
    page.select_option("#cv-filters", "2")
    page.wait_for_function("document.querySelector('#cv-output-cap').textContent.includes('\u00d72')", timeout=10_000)
    lines = page.locator("#cv-sum div").all_text_contents()
    assert lines[0].startswith("V(0, 0) = \u03a3c \u03a3m \u03a3n") and any(t.startswith("channel 2:") for t in lines)
    page.select_option("#cv-q", "1")
    assert "filter 1" in page.text_content("#cv-engine")
    assert float(page.locator("#cv-sum div").all_text_contents()[-1].split("=")[-1]) == pytest.approx(
        float(page.text_content("#cv-engine").split("=")[-1]))
    show(page, "#cv-title")
    shot(page, "see-math-conv-channels")


def test_conv_inputs_pooling_and_shapes(page, shot):
    open_learn(page)
    page.wait_for_function("document.querySelector('#cv-engine').textContent.includes('V(0, 0)')", timeout=15_000)
    # edit a kernel value by hand: the output follows
    set_value(page, "#cv-scrub", 1)  # cell (0, 1): its window's centre I(1, 2) is on the stroke
    before = float(page.text_content("#cv-engine").split("=")[-1])
    set_value(page, "#cv-kernel input >> nth=4", 9)  # K(1, 1)
    page.wait_for_function("document.querySelector('#cv-sum').textContent.includes('1·9')", timeout=10_000)
    assert float(page.text_content("#cv-engine").split("=")[-1]) == before + 9
    # draw a digit: a stroke changes the input
    page.select_option("#cv-source", "draw")
    page.wait_for_function("document.querySelector('#cv-input-cap').textContent.includes('16\u00d716')", timeout=10_000)
    page.locator("#cv-input").scroll_into_view_if_needed()
    box = page.locator("#cv-input").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.8, steps=8)
    page.mouse.up()
    page.wait_for_timeout(300)
    set_value(page, "#cv-scrub", 5 * 14 + 7)  # the window on (5..7, 7..9) covers the stroke's middle
    page.wait_for_function("document.querySelector('#cv-sum').textContent.includes(' 1\u00b7')", timeout=10_000)
    # an MNIST test image (when the server has MNIST)
    page.select_option("#cv-source", "mnist")
    page.wait_for_function("document.querySelector('#cv-input-cap').textContent.includes('MNIST label') || document.querySelector('#cv-msg').textContent.includes('MNIST')", timeout=15_000)
    page.select_option("#cv-preset", "outline")
    show(page, "#cv-title")
    shot(page, "see-math-conv-mnist")

    # pooling: max of the conv lab's grid; the readout is the engine's number
    page.select_option("#cv-source", "grid")
    page.wait_for_function("document.querySelector('#pl-text').textContent.includes('max(')", timeout=10_000)
    text = page.text_content("#pl-text")
    assert float(text.split(";")[0].split("=")[-1]) == float(text.split("engine:")[1])
    assert "keeps the largest value" in page.text_content("#pl-keeps")
    page.select_option("#pl-mode", "avg")
    page.wait_for_function("document.querySelector('#pl-text').textContent.includes(') / ')", timeout=10_000)
    page.select_option("#pl-of", "output")
    page.wait_for_function("document.querySelector('#pl-keeps').textContent.includes('5\u00d75 map')", timeout=10_000)

    # shapes: n, k, B follow; a mismatch in words
    set_value(page, "#sh-n", 6)
    assert "3\u00b76\u00b75 = 90 multiply-adds" in page.text_content("#sh-text")
    page.select_option("#sh-xbad", "1")
    page.eval_on_selector("#sh-xbad", "el => el.dispatchEvent(new Event('input', {bubbles: true}))")
    assert "6 \u2260 7" in page.text_content("#sh-text")
    page.select_option("#sh-xbad", "0")
    page.eval_on_selector("#sh-xbad", "el => el.dispatchEvent(new Event('input', {bubbles: true}))")
    assert "[ 11 11 14 ]" in page.text_content("#sh-notes")
    show(page, "#pl-title")
    shot(page, "see-math-pool-shapes")


def test_readme_picture(page, shot):
    """The README's picture: SAME padding drawn around a 7x7 stroke, the window
    on a border cell, its products and sum, and the formula."""
    open_learn(page)
    page.wait_for_function("document.querySelector('#cv-engine').textContent.includes('V(0, 0)')", timeout=15_000)
    page.select_option("#cv-padding", "same")
    page.wait_for_function("document.querySelector('#cv-formula').textContent.includes('SAME pads')", timeout=10_000)
    set_value(page, "#cv-scrub", 5 * 7 + 1)
    assert page.text_content("#cv-pos").startswith("cell (5, 1)")
    assert "padded input 9\u00d79" in page.text_content("#cv-input-cap")
    show(page, "#cv-title")
    shot(page, "see-math-readme")


def test_filter_from_a_trained_run(page, server):
    """A trained run's first conv layer becomes the kernel bank: its numbers,
    rounded to 3 decimals, and the engine's output follows them."""
    import httpx

    spec = {"input_shape": [28, 28, 1], "layers": [{"type": "conv2d", "filters": 3, "kernel_size": 3, "stride": 1, "padding": "valid"},
                                                   {"type": "relu"}, {"type": "flatten"}, {"type": "dense", "units": 10}],
            "loss": "softmax_cross_entropy"}
    run = httpx.post(f"{server}/api/runs", json={"spec": spec, "dataset": "mnist", "steps": 5, "batch_size": 16}, timeout=10).json()
    for _ in range(150):
        if httpx.get(f"{server}/api/runs/{run['id']}").json()["status"] == "finished":
            break
        page.wait_for_timeout(200)
    weights = httpx.get(f"{server}/api/runs/{run['id']}/layers/0/weights").json()
    open_learn(page)
    page.wait_for_function("document.querySelector('#cv-engine').textContent.includes('V(0, 0)')", timeout=15_000)
    page.select_option("#cv-preset", "run")
    page.wait_for_function("document.querySelectorAll('#cv-run option').length > 1", timeout=10_000)
    page.select_option("#cv-run", f"{run['id']}:0")
    page.wait_for_function("document.querySelector('#cv-output-cap').textContent.includes('\u00d73')", timeout=10_000)
    page.select_option("#cv-q", "2")
    kernel = [float(v) for v in page.eval_on_selector_all("#cv-kernel input", "els => els.map((e) => e.value)")]
    expected = [round(weights["weight"][m][n][0][2], 3) for m in range(3) for n in range(3)]
    assert kernel == pytest.approx(expected, abs=1e-9)
    assert float(page.input_value("#cv-bias")) == pytest.approx(round(weights["bias"][2], 3), abs=1e-9)
    lines = page.locator("#cv-sum div").all_text_contents()
    assert float(lines[-1].split("=")[-1]) == pytest.approx(float(page.text_content("#cv-engine").split("=")[-1]), abs=1e-3)
