"""The Learn tab in real Chromium: the differentiation lab follows its x slider,
the perceptron lab steps through updates, and every lab draws; screenshots go
to tests/artifacts/learn-*.png."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def set_range(page, selector: str, value: float) -> None:
    """Move a range input as a user would: set the value and fire `input`."""
    page.eval_on_selector(
        selector, "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input', {bubbles: true})); }", value
    )


def show(page, selector: str) -> None:
    """Scroll a lab's title to the top, below the sticky top bar."""
    page.eval_on_selector(selector, "el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 60)")


def test_learn_labs(page, shot):
    page.goto(f"{page.base_url}/?tab=learn")
    page.click("#tab-learn")
    page.wait_for_selector("#view-learn:not([hidden])")
    assert page.evaluate("(() => { const ids = [...document.querySelectorAll('[id]')].map((e) => e.id); return ids.length - new Set(ids).size; })()") == 0
    # every lab answered once
    page.wait_for_function("document.querySelectorAll('#diff-table tr').length === 6", timeout=15_000)
    for sel in ("#perc-step", "#sm-loss", "#act-text", "#gd-text", "#ls-relu-text", "#vec-text"):
        page.wait_for_function("s => document.querySelector(s).textContent.length > 10", arg=sel, timeout=15_000)

    # differentiation: moving x changes f(x) and the derivatives
    before = page.text_content("#diff-table")
    set_range(page, "#diff-x", 2.0)
    page.wait_for_function("b => document.querySelector('#diff-table').textContent !== b", arg=before, timeout=10_000)
    assert page.input_value("#diff-x") == "2"
    table = page.text_content("#diff-table")
    assert "forward mode" in table and "reverse mode" in table
    # an undefined point names the problem instead of failing
    page.select_option("#diff-expr", "relu(x)*x - 2/x")
    set_range(page, "#diff-x", 0)
    page.wait_for_function("document.querySelector('#diff-msg').textContent.includes('not defined')", timeout=10_000)
    set_range(page, "#diff-x", 1.5)
    page.wait_for_function("document.querySelector('#diff-msg').textContent === ''", timeout=10_000)
    show(page, "#diff-title")
    shot(page, "learn-differentiation")

    # perceptron: step twice, the readout shows the rule; End reports convergence
    page.click("#perc-next")
    page.click("#perc-next")
    assert page.text_content("#perc-pos").startswith("update 2 /")
    assert "sample 1" in page.text_content("#perc-step")
    page.click("#perc-epoch")
    assert page.text_content("#perc-pos").startswith("update 30 /")
    for _ in range(7):
        page.click("#perc-next")
    show(page, "#perc-title")
    shot(page, "learn-perceptron-softmax")
    page.click("#perc-last")
    assert page.text_content("#perc-end").startswith("Converged")
    page.select_option("#perc-data", "xor")
    page.wait_for_function("document.querySelector('#perc-pos').textContent.startsWith('update 0')", timeout=10_000)
    page.click("#perc-last")
    assert "Not converged" in page.text_content("#perc-end")
    show(page, "#perc-title")
    shot(page, "learn-perceptron-xor")

    # multi-class: 3 classes on blobs, argmax regions; a mistake moves two rows of W
    page.select_option("#perc-classes", "3")
    page.wait_for_function("document.querySelector('#perc-step').textContent.includes('argmax')", timeout=10_000)
    assert page.input_value("#perc-data") == "separable"
    for _ in range(3):
        page.click("#perc-next")
    assert page.text_content("#perc-pos").startswith("update 3 /")
    assert "f(x) = argmax" in page.text_content("#perc-step")
    page.click("#perc-reset")
    mistakes = 0
    for _ in range(30):  # on to the second mistake: by then W has moved three rows
        page.click("#perc-next")
        mistakes += "Wrong" in (text := page.text_content("#perc-step"))
        if mistakes == 2:
            break
    assert "+= 1\u00b7x" in text and "\u2212= 1\u00b7x" in text
    show(page, "#perc-title")
    shot(page, "learn-perceptron-multiclass")
    page.click("#perc-last")
    assert page.text_content("#perc-end").startswith("Converged")
    page.select_option("#perc-classes", "2")

    # softmax: a logit slider changes the loss
    loss = page.text_content("#sm-loss")
    set_range(page, "#sm-logit-0", -3)
    page.wait_for_function("b => document.querySelector('#sm-loss').textContent !== b", arg=loss, timeout=10_000)

    # activations: a ReLU fed a negative input passes no gradient back
    page.select_option("#act-name", "relu")
    set_range(page, "#act-x", -1)
    page.wait_for_function("document.querySelector('#act-text').textContent.includes('exactly 0')", timeout=10_000)
    assert "ReLU\u2032(x) = 1 if x > 0" in page.text_content("#act-formula")
    page.select_option("#act-name", "leaky_relu")
    assert page.locator("#act-alpha").is_visible()
    page.select_option("#act-name", "sigmoid")
    # Wait for sigmoid's own bound: leaky ReLU's text (the answer before) also says "vanishing".
    page.wait_for_function("document.querySelector('#act-text').textContent.includes('max|f\u2032| = 0.25')",
                           timeout=10_000)
    assert "vanishing" in page.text_content("#act-text")
    show(page, "#actlab-title")
    shot(page, "learn-softmax-activations")

    # gradient descent: a huge learning rate diverges
    set_range(page, "#gd-lr", 0.2)
    page.wait_for_function("document.querySelector('#gd-text').textContent.includes('diverged')", timeout=10_000)
    set_range(page, "#gd-lr", -1)
    page.wait_for_function("!document.querySelector('#gd-text').textContent.includes('diverged')", timeout=10_000)
    show(page, "#gd-title")
    shot(page, "learn-descent-stack")
    assert "one dense layer" in page.text_content("#ls-linear-text")
    assert "not one layer" in page.text_content("#ls-relu-text")
    show(page, "#vec-title")
    shot(page, "learn-vectorize")


def test_universal_approximation_box_builder(page, shot):
    page.goto(f"{page.base_url}/?tab=learn")
    page.wait_for_function("document.querySelector('#ua-text').textContent.includes('Unit 1')", timeout=15_000)
    assert "w1 = 10, b1 = 10, w2 = 1" in page.text_content("#ua-text")
    set_range(page, "#ua-b", 2)
    page.wait_for_function("document.querySelector('#ua-text').textContent.includes('b1 = -20')", timeout=10_000)
    page.select_option("#ua-n", "30")
    page.wait_for_function("document.querySelector('#ua-sum-text').textContent.startsWith('30 boxes need 60 hidden units')", timeout=10_000)
    error = float(page.text_content("#ua-sum-text").split("Largest error on [\u22123, 3]: ")[1].split(".")[0] + "." + page.text_content("#ua-sum-text").split("Largest error on [\u22123, 3]: ")[1].split(".")[1][:3])
    assert error < 0.05
    show(page, "#ua-title")
    shot(page, "learn-approximation")
