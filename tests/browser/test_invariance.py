"""Invariance on the Draw tab (issue 11): a CNN and an MLP side by side in the
shift sweep, the feature maps of the shifted digit shifted with it
(equivariance), and an antialiased CNN in the same comparison. Screenshots go
to tests/artifacts/."""

from __future__ import annotations

import pytest
from browser_helpers import draw_one, start_run, wait_finished

pytestmark = pytest.mark.browser

MLP = {"input_shape": [28, 28, 1], "layers": [{"type": "flatten"}, {"type": "dense", "units": 32, "activation": "relu"}, {"type": "dense", "units": 10}]}


def cnn(antialias: bool) -> dict:
    pool = {"type": "maxpool2d", "pool_size": 2, "antialias": antialias}
    return {"input_shape": [28, 28, 1], "layers": [
        {"type": "conv2d", "filters": 4, "kernel_size": 5, "padding": "same"}, {"type": "relu"}, pool,
        {"type": "conv2d", "filters": 8, "kernel_size": 5, "padding": "same"}, {"type": "relu"}, dict(pool),
        {"type": "flatten"}, {"type": "dense", "units": 10}]}


def train(base: str, spec: dict, name: str) -> str:
    body = {"spec": spec, "dataset": "mnist", "steps": 80, "batch_size": 32, "optimizer": "adam", "lr": 0.003, "name": name}
    return start_run(base, body)


INK_COLUMN = """sel => {
  const c = document.querySelector(sel + ' canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let s = 0, n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] > 128) { s += (i / 4) % c.width; n += 1; }
  return s / n;
}"""


def test_cnn_and_mlp_side_by_side_and_maps_follow_the_shift(page, server, shot):
    ids = [train(server, cnn(False), "cnn"), train(server, MLP, "mlp"), train(server, cnn(True), "cnn antialiased")]
    wait_finished(server, ids, timeout=180)
    page.goto(f"{server}/?tab=draw")
    page.wait_for_selector(f"#draw-target option[value='run:{ids[2]}']", state="attached", timeout=15_000)
    page.select_option("#draw-target", f"run:{ids[0]}")
    page.select_option("#inv-compare", f"run:{ids[1]}")
    draw_one(page, x_start=0.45)
    page.wait_for_function("document.querySelector('#inv-sweep').dataset.series === '2'", timeout=20_000)
    text = page.text_content("#inv-readout")
    assert text.count("The answer stays") == 2 and "run mlp" in text
    page.wait_for_selector("#inv-maps:not([hidden])", timeout=20_000)
    before = page.evaluate(INK_COLUMN, "#inv-maps-moved")
    for _ in range(3):
        page.click("#inv-right")
    page.wait_for_function("document.querySelector('#inv-maps').dataset.shift === '3,0'", timeout=20_000)
    # the first conv layer's maps are 28x28 like the input ('same' padding): they move 3 px too
    after = page.evaluate(INK_COLUMN, "#inv-maps-moved")
    assert after - before == pytest.approx(3, abs=0.8)
    assert page.evaluate(INK_COLUMN, "#inv-maps-original") == pytest.approx(before, abs=0.01)
    shot(page, "draw-cnn-vs-mlp", full_page=True)
    # the antialiased CNN in the same comparison
    page.select_option("#inv-compare", f"run:{ids[2]}")
    page.wait_for_function("document.querySelector('#inv-readout').textContent.includes('cnn antialiased')", timeout=20_000)
