"""Convolution explainer and pooling lab: the engine's conv2d and pooling on a
small grid, with everything a student needs to redo one output cell by hand.

The notes' sum, with stride s and the zero-padded input I_p:

    V(x, y) = sum_m sum_n I_p(s*x + m, s*y + n) K(m, n) + b

summed over the input channels too; one output channel per filter of the bank.
(x, y) = (row, column), counted from 0, as the engine and TensorFlow index.

Padding: an explicit p pads p zeros on every side (the notes' 2p); "valid" is
p = 0; "same" is TensorFlow's rule, which may pad one more zero after than
before (``engine.im2col.same_padding``): the response shows both halves.
The output always comes from ``engine.conv.conv2d`` / ``max_pool2d`` /
``avg_pool2d``; an explicit p is applied as zeros before a VALID conv2d.
"""

from __future__ import annotations

import numpy as np

from playground.engine.conv import avg_pool2d, conv2d, max_pool2d
from playground.engine.data.mnist import load_idx_set
from playground.engine.im2col import same_padding
from playground.viz.labs import LabError

MAX_SIDE = 32
MAX_CHANNELS = 4
MAX_KERNEL = 7
MAX_FILTERS = 8
MAX_STRIDE = 4
MAX_PAD = 3
MAX_POOL = 4
VALUE_LIMIT = 1e4
# The pooling lab's modes and the engine's reference op of each (the request
# schema and the page's select are made from this table).
POOL_MODES = {"max": max_pool2d, "avg": avg_pool2d}


def _array(values, field: str, ndims: tuple[int, ...]) -> np.ndarray:
    try:
        a = np.array(values, dtype=np.float64)
    except (ValueError, TypeError):
        raise LabError(field, "must be a rectangular array of numbers (every row the same length)") from None
    if a.ndim not in ndims:
        raise LabError(field, f"must have {' or '.join(str(n) for n in ndims)} dimensions, got shape {list(a.shape)}")
    if 0 in a.shape:
        raise LabError(field, "must not be empty")
    if not np.all(np.abs(a) <= VALUE_LIMIT):
        raise LabError(field, f"every value must lie in [-{VALUE_LIMIT:g}, {VALUE_LIMIT:g}]")
    return a


def check_input(values) -> np.ndarray:
    """(H, W) or (H, W, C) numbers -> (H, W, C) float64."""
    x = _array(values, "input", (2, 3))
    if x.ndim == 2:
        x = x[:, :, None]
    h, w, c = x.shape
    if h > MAX_SIDE or w > MAX_SIDE:
        raise LabError("input", f"at most {MAX_SIDE}x{MAX_SIDE}, got {h}x{w}")
    if c > MAX_CHANNELS:
        raise LabError("input", f"at most {MAX_CHANNELS} channels, got {c}")
    return x


def _pads(n: int, f: int, s: int, padding: int | str) -> tuple[int, int]:
    if isinstance(padding, int):
        return padding, padding
    return same_padding(n, f, s) if padding == "same" else (0, 0)


def _axis_formula(name: str, n: int, f: int, s: int, padding: int | str, pads: tuple[int, int]) -> dict:
    """The notes' n' = (n - f + 2p) / s + 1, floored, with the live numbers."""
    before, after = pads
    out = (n - f + before + after) // s + 1
    if before == after:
        text = f"{name}' = \u230a({name} \u2212 f + 2p) / s\u230b + 1 = \u230a({n} \u2212 {f} + 2\u00b7{before}) / {s}\u230b + 1 = {out}"
    else:
        text = (f"{name}' = \u230a({name} \u2212 f + p_before + p_after) / s\u230b + 1 = "
                f"\u230a({n} \u2212 {f} + {before} + {after}) / {s}\u230b + 1 = {out}")
    # The floor: with stride > 1 the last rows (columns) of the padded input may be read by no window.
    item = {"n": n, "f": f, "s": s, "pad": [before, after], "out": out, "text": text,
            "unused": (n + before + after - f) % s}
    if padding == "same":
        total = before + after
        item["same"] = (f"SAME pads max((\u2308{n}/{s}\u2309 \u2212 1)\u00b7{s} + {f} \u2212 {n}, 0) = {total} zero{'' if total == 1 else 's'}: "
                        f"{before} before, {after} after (TensorFlow puts the smaller half before)")
    return item


def _geometry(x: np.ndarray, f: int, stride: int, padding: int | str, field: str) -> dict:
    if not 1 <= stride <= MAX_STRIDE:
        raise LabError("stride", f"must be between 1 and {MAX_STRIDE}")
    if isinstance(padding, int) and not 0 <= padding <= MAX_PAD:
        raise LabError("padding", f"an explicit padding must be between 0 and {MAX_PAD}")
    h, w, _ = x.shape
    ph, pw = _pads(h, f, stride, padding), _pads(w, f, stride, padding)
    if h + sum(ph) < f or w + sum(pw) < f:
        raise LabError(field, f"the {f}x{f} window is larger than the padded {h + sum(ph)}x{w + sum(pw)} input")
    return {"pad": [ph[0], ph[1], pw[0], pw[1]],
            "formula": {"h": _axis_formula("h", h, f, stride, padding, ph),
                        "w": _axis_formula("w", w, f, stride, padding, pw)}}


def conv_lab(input_values, kernel_values, stride: int = 1, padding: int | str = "valid", bias=0.0) -> dict:
    """input (H, W[, C]), kernel (f, f) or (f, f, C, K), bias number or K numbers ->
    output (H', W', K), padded_input (H + pads, W + pads, C), pad, formula."""
    x = check_input(input_values)
    k = _array(kernel_values, "kernel", (2, 4))
    if k.ndim == 2:
        k = k[:, :, None, None]
    f, fw, kc, nk = k.shape
    if f != fw:
        raise LabError("kernel", f"must be square (f x f), got {f}x{fw}")
    if f > MAX_KERNEL:
        raise LabError("kernel", f"at most {MAX_KERNEL}x{MAX_KERNEL}, got {f}x{f}")
    if nk > MAX_FILTERS:
        raise LabError("kernel", f"at most {MAX_FILTERS} filters, got {nk}")
    if kc != x.shape[2]:
        raise LabError("kernel", f"has {kc} input channels but the input has {x.shape[2]}")
    b = np.broadcast_to(np.asarray(bias, dtype=np.float64), (nk,)) if np.ndim(bias) == 0 else np.asarray(bias, dtype=np.float64)
    if b.shape != (nk,):
        raise LabError("bias", f"needs one number or one per filter ({nk}), got {b.size}")
    if not np.all(np.abs(b) <= VALUE_LIMIT):
        raise LabError("bias", f"every value must lie in [-{VALUE_LIMIT:g}, {VALUE_LIMIT:g}]")
    geo = _geometry(x, f, stride, padding, "kernel")
    top, bottom, left, right = geo["pad"]
    padded = np.pad(x, ((top, bottom), (left, right), (0, 0)))
    if isinstance(padding, int):
        out = conv2d(padded[None], k, b, stride=stride, padding="valid")
    else:
        out = conv2d(x[None], k, b, stride=stride, padding=padding)
    output = out.data[0]
    geo["formula"]["d"] = nk
    return {"output": output.tolist(), "padded_input": padded.tolist(), "kernel": k.tolist(),
            "bias": b.tolist(), "stride": stride, "padding": padding, "shape": list(output.shape), **geo}


def pool_lab(input_values, mode: str = "max", window: int = 2, stride: int | None = None,
             padding: str = "valid") -> dict:
    """input (H, W[, C]) -> output (H', W', C), the padded input (max pads with
    -inf: padding never wins; avg divides by the real inputs only, as
    TensorFlow does), and for max the winning (row, column) of each window in
    the padded input: the first maximal one in row-major order, as the engine's
    backward routes the gradient."""
    x = check_input(input_values)
    if not 1 <= window <= MAX_POOL:
        raise LabError("window", f"must be between 1 and {MAX_POOL}")
    s = window if stride is None else stride
    geo = _geometry(x, window, s, padding, "window")
    top, bottom, left, right = geo["pad"]
    op = POOL_MODES[mode]
    output = op(x[None], pool_size=window, stride=s, padding=padding).data[0]
    padded = np.pad(x, ((top, bottom), (left, right), (0, 0)), constant_values=-np.inf if mode == "max" else 0.0)
    result = {"output": output.tolist(), "mode": mode, "window": window, "stride": s, "padding": padding,
              "pad": geo["pad"], "formula": {**geo["formula"], "d": x.shape[2]}, "shape": list(output.shape),
              # JSON has no -inf: padded cells of max pooling are null.
              "padded_input": np.where(np.isfinite(padded), padded, np.nan).tolist()}
    if mode == "max":
        result["winners"] = _winners(padded, window, s, output.shape[:2]).tolist()
    if mode == "avg":
        inside = np.pad(np.ones(x.shape[:2]), ((top, bottom), (left, right)))
        win = np.lib.stride_tricks.sliding_window_view(inside, (window, window))[::s, ::s]
        result["counts"] = win.sum(axis=(2, 3))[: output.shape[0], : output.shape[1]].astype(int).tolist()
    return result


def _winners(padded: np.ndarray, k: int, s: int, out_hw: tuple[int, int]) -> np.ndarray:
    """(H', W', C, 2): padded-input (row, column) of each window's first maximum."""
    win = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(0, 1))[::s, ::s][: out_hw[0], : out_hw[1]]
    flat = win.reshape(win.shape[0], win.shape[1], win.shape[2], k * k)
    idx = flat.argmax(axis=-1)  # argmax returns the first maximum: row-major window order
    rows = np.arange(out_hw[0])[:, None, None] * s + idx // k
    cols = np.arange(out_hw[1])[None, :, None] * s + idx % k
    return np.stack([rows, cols], axis=-1)


def mnist_sample(index: int, data_dir=None, cache_dir=None) -> dict:
    """Test image `index` of MNIST as a 28x28 grid in [0, 1] and its label;
    never downloads (the server's copy or a LabError naming mnist_index)."""
    try:
        _, _, x_test, y_test = load_idx_set("mnist", data_dir=data_dir, cache_dir=cache_dir, download=False)
    except (OSError, ValueError):
        raise LabError("mnist_index", "MNIST is not available on this server; edit or draw a grid instead") from None
    if not 0 <= index < len(x_test):
        raise LabError("mnist_index", f"must be between 0 and {len(x_test) - 1}")
    return {"input": np.round(x_test[index, :, :, 0].astype(np.float64), 3).tolist(), "label": int(y_test[index])}
