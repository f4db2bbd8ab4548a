"""POST /api/labs/conv and /api/labs/pool against independent direct loops
(the notes' V(x, y) = sum_m sum_n I(x+m, y+n) K(m, n) + b, written out), for
SAME / VALID / explicit padding, stride 1 and 2, odd and even sizes, several
channels and filters; and bad inputs answered with a 422 naming the field."""

from __future__ import annotations

import math

import numpy as np
import pytest


def tf_same(n: int, f: int, s: int) -> tuple[int, int]:
    out = math.ceil(n / s)
    total = max((out - 1) * s + f - n, 0)
    return total // 2, total - total // 2


def direct_conv(x, k, b, s, pads):
    """x (H, W, C), k (f, f, C, K) -> (H', W', K) by four nested loops."""
    (top, bottom), (left, right) = pads
    h, w, c = x.shape
    f, _, _, nk = k.shape
    xp = np.zeros((h + top + bottom, w + left + right, c))
    xp[top:top + h, left:left + w] = x
    oh, ow = (xp.shape[0] - f) // s + 1, (xp.shape[1] - f) // s + 1
    out = np.zeros((oh, ow, nk))
    for i in range(oh):
        for j in range(ow):
            for q in range(nk):
                total = b[q]
                for m in range(f):
                    for n in range(f):
                        for ch in range(c):
                            total += xp[i * s + m, j * s + n, ch] * k[m, n, ch, q]
                out[i, j, q] = total
    return out, xp


def direct_pool(x, kind, f, s, pads):
    (top, bottom), (left, right) = pads
    h, w, c = x.shape
    oh = (h + top + bottom - f) // s + 1
    ow = (w + left + right - f) // s + 1
    out = np.zeros((oh, ow, c))
    for i in range(oh):
        for j in range(ow):
            for ch in range(c):
                vals = [x[r, q, ch] for r in range(i * s - top, i * s - top + f) for q in range(j * s - left, j * s - left + f)
                        if 0 <= r < h and 0 <= q < w]
                out[i, j, ch] = max(vals) if kind == "max" else sum(vals) / len(vals)
    return out


CASES = [(h, w, c, f, nk, s, p) for (h, w) in [(7, 7), (6, 8)] for (c, nk) in [(1, 1), (3, 2)]
         for f in (2, 3) for s in (1, 2) for p in ("same", "valid", 1)]


@pytest.mark.parametrize("h,w,c,f,nk,s,padding", CASES)
def test_conv_equals_direct_loop(client, h, w, c, f, nk, s, padding):
    rng = np.random.default_rng(h * 100 + c * 10 + f + s)
    x = rng.integers(-3, 4, (h, w, c)).astype(float)
    k = rng.integers(-2, 3, (f, f, c, nk)).astype(float)
    b = rng.integers(-2, 3, nk).astype(float)
    body = {"input": (x[:, :, 0] if c == 1 else x).tolist(), "kernel": (k[:, :, 0, 0] if c == nk == 1 else k).tolist(),
            "stride": s, "padding": padding, "bias": float(b[0]) if nk == 1 else b.tolist()}
    r = client.post("/api/labs/conv", json=body)
    assert r.status_code == 200, r.text
    d = r.json()
    if padding == "same":
        pads = (tf_same(h, f, s), tf_same(w, f, s))
    else:
        p = 0 if padding == "valid" else padding
        pads = ((p, p), (p, p))
    expected, xp = direct_conv(x, k, b, s, pads)
    np.testing.assert_allclose(np.array(d["output"]), expected, atol=1e-9)
    np.testing.assert_allclose(np.array(d["padded_input"]), xp)
    assert d["pad"] == [*pads[0], *pads[1]]
    assert d["shape"] == list(expected.shape)
    assert d["formula"]["h"]["out"] == expected.shape[0] and d["formula"]["w"]["out"] == expected.shape[1]
    assert d["formula"]["d"] == nk
    for axis, k in (("h", 0), ("w", 1)):  # padded rows / columns no window reaches
        assert d["formula"][axis]["unused"] == xp.shape[k] - ((expected.shape[k] - 1) * s + f)
    if padding == "same":
        assert expected.shape[:2] == (math.ceil(h / s), math.ceil(w / s))


def test_same_padding_is_asymmetric_and_said_so(client):
    # n = 6, f = 2, s = 1: one zero in all, after (TensorFlow's smaller half before)
    d = client.post("/api/labs/conv", json={"input": np.ones((6, 6)).tolist(), "kernel": [[1, 1], [1, 1]],
                                            "padding": "same"}).json()
    assert d["pad"] == [0, 1, 0, 1]
    assert "0 before, 1 after" in d["formula"]["h"]["same"]
    assert "\u230a(6 \u2212 2 + 0 + 1) / 1\u230b + 1 = 6" in d["formula"]["h"]["text"]
    assert d["output"][5][5] == [1.0] and d["output"][0][0] == [4.0]


def test_explicit_padding_formula(client):
    d = client.post("/api/labs/conv", json={"input": np.ones((5, 5)).tolist(), "kernel": np.ones((3, 3)).tolist(),
                                            "padding": 1, "stride": 2, "bias": 0.5}).json()
    assert d["formula"]["h"]["text"] == "h' = \u230a(h \u2212 f + 2p) / s\u230b + 1 = \u230a(5 \u2212 3 + 2\u00b71) / 2\u230b + 1 = 3"
    assert d["output"][0][0] == [4.5] and d["output"][1][1] == [9.5]


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("h,w,c,f,s,padding", [(7, 7, 1, 2, 2, "valid"), (7, 7, 2, 2, 2, "same"), (6, 8, 3, 3, 1, "same"),
                                               (6, 8, 1, 3, 2, "valid"), (5, 5, 1, 3, 2, "same")])
def test_pool_equals_direct_loop(client, kind, h, w, c, f, s, padding):
    rng = np.random.default_rng(h + w + c + f + s)
    x = rng.integers(-5, 6, (h, w, c)).astype(float)
    r = client.post("/api/labs/pool", json={"input": (x[:, :, 0] if c == 1 else x).tolist(), "mode": kind,
                                            "window": f, "stride": s, "padding": padding})
    assert r.status_code == 200, r.text
    d = r.json()
    pads = (tf_same(h, f, s), tf_same(w, f, s)) if padding == "same" else ((0, 0), (0, 0))
    np.testing.assert_allclose(np.array(d["output"]), direct_pool(x, kind, f, s, pads), atol=1e-12)
    assert d["pad"] == [*pads[0], *pads[1]]
    if kind == "max":
        xp = np.array(d["padded_input"], dtype=float)  # null (padding) -> nan
        win = np.array(d["winners"])
        for i in range(len(d["output"])):
            for j in range(len(d["output"][0])):
                for ch in range(c):
                    r_, c_ = win[i, j, ch]
                    assert xp[r_, c_, ch] == d["output"][i][j][ch]
                    assert i * s <= r_ < i * s + f and j * s <= c_ < j * s + f
    else:
        assert np.array(d["counts"]).max() == f * f


def test_max_pool_ties_go_to_the_first_maximum(client):
    d = client.post("/api/labs/pool", json={"input": [[1, 1], [1, 1]], "mode": "max"}).json()
    assert d["winners"] == [[[[0, 0]]]]


def test_mnist_sample(client):
    r = client.post("/api/labs/conv", json={"mnist_index": 0, "kernel": [[1]]})
    if r.status_code == 422:
        assert r.json()["detail"][0]["loc"][-1] == "mnist_index"
        pytest.skip("MNIST is not available here")
    d = r.json()
    assert d["mnist_label"] == 7 and np.array(d["input"]).shape == (28, 28)
    np.testing.assert_allclose(np.array(d["output"])[:, :, 0], np.array(d["input"]))


GOOD = {"input": [[1, 2], [3, 4]], "kernel": [[1]]}


@pytest.mark.parametrize("patch,field", [
    ({"input": [[1, 2], [3]]}, "input"),
    ({"input": np.zeros((33, 3)).tolist()}, "input"),
    ({"input": np.zeros((3, 3, 5)).tolist()}, "input"),
    ({"input": [[True, 1], [1, 1]]}, "input"),
    ({"input": [[1e9, 1], [1, 1]]}, "input"),
    ({"input": None}, "input"),
    ({"mnist_index": 3}, "input"),
    ({"kernel": np.zeros((8, 8)).tolist(), "input": np.zeros((9, 9)).tolist()}, "kernel"),
    ({"kernel": [[1, 2]]}, "kernel"),
    ({"kernel": np.zeros((3, 3)).tolist()}, "kernel"),
    ({"kernel": np.zeros((1, 1, 2, 1)).tolist()}, "kernel"),
    ({"kernel": np.zeros((1, 1, 1, 9)).tolist()}, "kernel"),
    ({"stride": 0}, "stride"),
    ({"stride": 5}, "stride"),
    ({"stride": True}, "stride"),
    ({"padding": 4}, "padding"),
    ({"padding": "full"}, "padding"),
    ({"padding": True}, "padding"),
    ({"bias": [1, 2]}, "bias"),
    ({"bias": False}, "bias"),
])
def test_conv_bad_inputs_name_the_field(client, patch, field):
    r = client.post("/api/labs/conv", json={**GOOD, **patch})
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"][0]["loc"]


@pytest.mark.parametrize("patch,field", [
    ({"window": 5}, "window"), ({"window": 3}, "window"), ({"mode": "median"}, "mode"),
    ({"padding": 1}, "padding"), ({"stride": True}, "stride"), ({"input": [[1, "a"]]}, "input"),
])
def test_pool_bad_inputs_name_the_field(client, patch, field):
    r = client.post("/api/labs/pool", json={"input": [[1, 2], [3, 4]], **patch})
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"][0]["loc"]


@pytest.mark.parametrize("url,text,field", [
    ("/api/labs/conv", '{"input": [[NaN, 1], [1, 1]], "kernel": [[1]]}', "input"),
    ("/api/labs/conv", '{"input": [[1, 1], [1, 1]], "kernel": [[Infinity]]}', "kernel"),
    ("/api/labs/conv", '{"input": [[1, 1], [1, 1]], "kernel": [[1]], "bias": NaN}', "bias"),
    ("/api/labs/pool", '{"input": [[NaN, 1], [1, 1]]}', "input"),
    ("/api/labs/graph", '{"expression": "x", "values": {"x": NaN}}', "values"),
    ("/api/labs/graph", '{"expression": "x", "values": {"x": 1}, "h": NaN}', "h"),
])
def test_nan_and_infinity_are_422_naming_the_field(client, url, text, field):
    r = client.post(url, content=text, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert field in r.json()["detail"][0]["loc"]
