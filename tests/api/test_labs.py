"""The Learn labs (/api/labs/*): each happy path checked against an independent
formula, and bad inputs answered with a 422 that names the field."""

from __future__ import annotations

import math

import numpy as np
import pytest

from api_helpers import locs


def post(client, lab: str, body: dict) -> dict:
    r = client.post(f"/api/labs/{lab}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def test_differentiation_three_ways_agree(client):
    x = 0.7
    d = post(client, "differentiation", {"expression": "x*sigmoid(x) + exp(-x**2)/(1+x)", "x": x, "h": 1e-5})
    s = 1 / (1 + math.exp(-x))
    value = x * s + math.exp(-x * x) / (1 + x)
    # d/dx by hand: product rule and quotient rule
    exact = s + x * s * (1 - s) + (-2 * x * math.exp(-x * x) * (1 + x) - math.exp(-x * x)) / (1 + x) ** 2
    assert d["value"] == pytest.approx(value, rel=1e-12)
    assert d["forward_mode"] == pytest.approx(exact, rel=1e-12)
    assert d["reverse_mode"] == pytest.approx(exact, rel=1e-12)
    assert abs(d["forward_difference"] - exact) < 1e-5  # O(h)
    assert abs(d["central_difference"] - exact) < 1e-9  # O(h^2)
    assert d["central_error"] < d["forward_error"]
    assert len(d["expressions"]) == 6 and d["expression"] in d["expressions"]
    assert d["tangent"]["y"][0] == pytest.approx(value + exact * (d["tangent"]["x"][0] - x))


def test_differentiation_error_vs_h_has_a_sweet_spot(client):
    d = post(client, "differentiation", {"expression": "x**3 - 2*x", "x": 1.3, "h": 1e-3})
    assert d["forward_mode"] == pytest.approx(3 * 1.3 ** 2 - 2)
    hs, err = np.array(d["sweep"]["h"]), np.array(d["sweep"]["forward_error"], dtype=float)
    best = int(np.argmin(err))
    # truncation error at h = 1, rounding error at h = 1e-12, both far above the best
    assert hs[0] == pytest.approx(1e-12) and hs[-1] == pytest.approx(1.0)
    assert 0 < best < len(hs) - 1
    assert err[-1] > 100 * err[best] and err[0] > 100 * err[best]
    assert d["forward_error"] == pytest.approx(abs(d["forward_difference"] - d["forward_mode"]))


def test_perceptron_converges_on_separable_data_and_not_on_xor(client):
    d = post(client, "perceptron", {"dataset": "separable", "n_samples": 30, "lr": 1.0, "max_epochs": 50, "seed": 3})
    x, y = np.array(d["points"]), np.array(d["labels"])
    assert d["converged"] and d["errors_per_epoch"][-1] == 0 and d["accuracy"] == 1.0
    assert len(d["steps"]) == 30 * d["epochs"]
    # every recorded step is the rule w += lr (a - f(x)) x, b += lr (a - f(x))
    for step in d["steps"]:
        xi, w0 = np.array(step["x"]), np.array(step["w_before"])
        assert step["prediction"] == int(xi @ w0 + step["b_before"] > 0)
        err = step["label"] - step["prediction"]
        assert np.allclose(step["w"], w0 + 1.0 * err * xi) and step["b"] == pytest.approx(step["b_before"] + err)
        assert np.allclose(step["x"], x[step["index"]])
    w, b = np.array(d["w"]), d["b"]
    assert np.array_equal((x @ w + b > 0).astype(int), y)

    xor = post(client, "perceptron", {"dataset": "xor", "n_samples": 40, "max_epochs": 20})
    assert not xor["converged"] and xor["epochs"] == 20 and xor["accuracy"] < 1.0


def multiclass_perceptron(x, y, k, lr, max_epochs):
    """The notes' multi-class rule, written out: W (K, D), b (K,) from 0; per
    sample p = argmax(W x + b) (lowest index on ties), and on a mistake
    w_a += lr x, w_p -= lr x (the same for b). -> the (W, b) after each sample."""
    w, b, trace = np.zeros((k, x.shape[1])), np.zeros(k), []
    for _ in range(max_epochs):
        mistakes = 0
        for xi, a in zip(x, y):
            p = int(np.argmax(w @ xi + b))
            if p != a:
                mistakes += 1
                w[a] += lr * xi
                w[p] -= lr * xi
                b[a] += lr
                b[p] -= lr
            trace.append((p, w.copy(), b.copy()))
        if mistakes == 0:
            break
    return trace


@pytest.mark.parametrize("classes, dataset", [(3, "separable"), (4, "overlapping")])
def test_multiclass_perceptron_matches_the_rule(client, classes, dataset):
    d = post(client, "perceptron", {"classes": classes, "dataset": dataset, "n_samples": 40, "lr": 0.5,
                                    "max_epochs": 8, "seed": 2})
    x, y = np.array(d["points"]), np.array(d["labels"])
    assert d["classes"] == classes and sorted(set(y.tolist())) == list(range(classes))
    trace = multiclass_perceptron(x, y, classes, 0.5, 8)
    assert len(d["steps"]) == len(trace) == 40 * d["epochs"]
    for step, (p, w, b) in zip(d["steps"], trace):
        assert step["prediction"] == p
        assert np.allclose(step["w"], w) and np.allclose(step["b"], b)
        # only the true and the predicted rows move, by +-lr x
        diff = np.array(step["w"]) - np.array(step["w_before"])
        onehot = np.eye(classes)[step["label"]] - np.eye(classes)[p]
        assert np.allclose(diff, 0.5 * np.outer(onehot, step["x"])) and step["error"] == onehot.tolist()
        assert step["updated"] == (p != step["label"])
    w, b = np.array(d["w"]), np.array(d["b"])
    assert d["accuracy"] == pytest.approx(float((np.argmax(x @ w.T + b, axis=1) == y).mean()))
    if dataset == "separable":
        assert d["converged"] and d["accuracy"] == 1.0
    else:
        assert not d["converged"] and d["epochs"] == 8


def test_softmax_probabilities_loss_and_gradient(client):
    logits, label = [2.0, -1.0, 0.5, 3.0], 2
    d = post(client, "softmax", {"logits": logits, "label": label})
    e = np.exp(np.array(logits) - max(logits))
    p = e / e.sum()
    assert sum(d["probabilities"]) == pytest.approx(1.0)
    assert np.allclose(d["probabilities"], p)
    assert d["loss"] == pytest.approx(-math.log(p[label]))
    assert np.allclose(d["gradient"], p - np.eye(4)[label])
    assert d["prediction"] == 3

    hot = post(client, "softmax", {"logits": logits, "label": label, "temperature": 2.0})
    q = np.exp(np.array(logits) / 2)
    q /= q.sum()
    assert np.allclose(hot["gradient"], (q - np.eye(4)[label]) / 2)


def test_activations_slopes_and_vanishing_gradients(client):
    d = post(client, "activations", {"activation": "sigmoid", "x": 0.5, "depth": 8})
    xs, slope = np.array(d["curve"]["x"]), np.array(d["curve"]["slope"])
    s = 1 / (1 + np.exp(-xs))
    assert np.allclose(d["curve"]["y"], s) and np.allclose(slope, s * (1 - s))
    assert d["max_slope"] == pytest.approx(0.25)
    # chain rule by hand: d a_k / d x = prod of sigmoid'(a_(j-1)) along the chain
    a, g = 0.5, 1.0
    for k in range(8):
        g *= 1 / (1 + np.exp(-a)) * (1 - 1 / (1 + np.exp(-a)))
        a = 1 / (1 + np.exp(-a))
        assert d["gradients"][k] == pytest.approx(g) and d["outputs"][k] == pytest.approx(a)
    assert d["gradients"][-1] < 0.25 ** 8

    dead = post(client, "activations", {"activation": "relu", "x": -0.5, "depth": 5})
    assert dead["gradients"] == [0.0] * 5
    alive = post(client, "activations", {"activation": "relu", "x": 0.5, "depth": 5, "weight": 2.0})
    assert alive["gradients"] == pytest.approx([2.0 ** k for k in range(1, 6)])


def test_descent_full_batch_reaches_least_squares_and_large_lr_diverges(client):
    d = post(client, "descent", {"n_samples": 60, "batch_size": 4, "lr": 0.3, "steps": 400, "seed": 1})
    x, y = np.array(d["data"]["x"]), np.array(d["data"]["y"])
    w, b = np.polyfit(x, y, 1)
    assert d["optimum"]["w"] == pytest.approx(w) and d["optimum"]["b"] == pytest.approx(b)
    assert d["full_batch"]["points"][-1] == pytest.approx([w, b], abs=1e-3)
    assert len(d["full_batch"]["points"]) == 401 and not d["sgd"]["diverged"]
    # SGD's noisy steps leave it near, not at, the optimum
    assert d["sgd"]["final_loss"] > d["full_batch"]["final_loss"]
    loss = np.array(d["grid"]["loss"])
    assert loss.shape == (len(d["grid"]["b"]), len(d["grid"]["w"]))
    j, i = 5, 7
    assert loss[j, i] == pytest.approx(np.mean((d["grid"]["w"][i] * x + d["grid"]["b"][j] - y) ** 2))

    wild = post(client, "descent", {"lr": 2.5, "steps": 200})
    assert wild["full_batch"]["diverged"] and len(wild["full_batch"]["points"]) < 201


def test_linear_stack_collapses_and_relu_does_not(client):
    d = post(client, "linear-stack", {"hidden": 8, "steps": 250, "n_samples": 120, "seed": 0})
    assert d["linear"]["before"]["max_difference"] < 1e-5
    assert d["linear"]["after"]["max_difference"] < 1e-4
    assert d["relu"]["after"]["max_difference"] > 1e-2
    assert d["linear"]["after"]["one_layer"] and not d["relu"]["after"]["one_layer"]
    assert np.array(d["linear"]["after"]["product_weight"]).shape == (2, 2)
    assert d["linear"]["accuracy"] < 0.75 < 0.95 <= d["relu"]["accuracy"]
    assert np.array(d["relu"]["grid"]["probabilities"]).shape == (40, 40)


def test_vectorize_times_both_and_agrees(client):
    d = post(client, "vectorize", {"operation": "matmul", "size": 40})
    assert d["max_difference"] < 1e-9 and d["loop_seconds"] > 0 and d["numpy_seconds"] > 0
    assert d["flops"] == 2 * 40 ** 3
    assert post(client, "vectorize", {"operation": "dot", "size": 1000})["max_difference"] < 1e-9


@pytest.mark.parametrize("lab, body, field", [
    ("differentiation", {"x": 11}, "x"),
    ("differentiation", {"h": 0}, "h"),
    ("differentiation", {"expression": "sin(x)"}, "expression"),
    ("differentiation", {"expression": "relu(x)*x - 2/x", "x": 0.0}, "x"),
    ("perceptron", {"n_samples": 501}, "n_samples"),
    ("perceptron", {"dataset": "spiral"}, "dataset"),
    ("perceptron", {"classes": 5}, "classes"),
    ("perceptron", {"classes": 1}, "classes"),
    ("perceptron", {"classes": 3, "dataset": "xor"}, "dataset"),
    ("softmax", {"logits": [1.0]}, "logits"),
    ("softmax", {"logits": [1.0, 2.0], "label": 2}, "label"),
    ("softmax", {"logits": [1.0, 1e9]}, "logits"),
    ("activations", {"activation": "softmax"}, "activation"),
    ("activations", {"depth": 31}, "depth"),
    ("descent", {"steps": 5000}, "steps"),
    ("descent", {"n_samples": 20, "batch_size": 30}, "batch_size"),
    ("descent", {"lr": -1}, "lr"),
    ("linear-stack", {"hidden": 1000}, "hidden"),
    ("vectorize", {"operation": "matmul", "size": 500}, "size"),
    ("vectorize", {"unknown": 1}, "unknown"),
])
def test_bad_inputs_name_the_field(client, lab, body, field):
    r = client.post(f"/api/labs/{lab}", json=body)
    assert r.status_code == 422, r.text
    assert any(field in loc for loc in locs(r)), r.text


def test_activation_factors_multiply_to_the_gradient_and_respect_the_bound(client):
    # the counterexample to "shrinks at least fourfold per layer"
    d = post(client, "activations", {"activation": "sigmoid", "x": 0.5, "depth": 30, "weight": -4})
    assert d["gradients"][-1] == pytest.approx(2.1e-4, rel=0.01) and d["gradients"][-1] > 0.25 ** 30
    assert np.prod(d["factors"]) == pytest.approx(d["gradients"][-1])
    assert d["bound"] == pytest.approx(1.0) and max(map(abs, d["factors"])) <= 1.0
    grow = post(client, "activations", {"activation": "sigmoid", "x": 0.5, "depth": 10, "weight": -5})
    assert any(abs(f) > 1.1 for f in grow["factors"][1::2])  # every other layer grows the gradient
    zero = post(client, "activations", {"activation": "relu", "x": 0.0, "depth": 3})
    assert zero["pre_activations"][0] == 0.0 and zero["factors"] == [0.0, 0.0, 0.0]
    leaky = post(client, "activations", {"activation": "leaky_relu", "x": -1.0, "depth": 2, "weight": 1, "alpha": 0.2})
    assert leaky["factors"] == pytest.approx([0.2, 0.2]) and leaky["gradients"][-1] == pytest.approx(0.04)


def test_descent_reports_full_data_loss_and_the_stability_limit(client):
    d = post(client, "descent", {"n_samples": 100, "batch_size": 8, "lr": 0.1, "steps": 100, "seed": 0})
    x, y = np.array(d["data"]["x"]), np.array(d["data"]["y"])
    for path in ("full_batch", "sgd"):
        p = d[path]
        assert len(p["full_losses"]) == len(p["points"])
        w, b = p["points"][-1]
        assert p["full_losses"][-1] == pytest.approx(np.mean((w * x + b - y) ** 2))
    # the numbers: SGD's last batch loss 0.353 where the loss on all the data is 0.15
    assert d["sgd"]["losses"][-1] == pytest.approx(0.353, abs=0.001)
    assert d["sgd"]["full_losses"][-1] == pytest.approx(0.152, abs=0.001)
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    limit = 2 / np.linalg.eigvalsh(hessian).max()
    assert d["stability"]["lr_limit"] == pytest.approx(limit)
    below = post(client, "descent", {"n_samples": 100, "lr": 0.95 * limit, "steps": 400, "seed": 0})
    above = post(client, "descent", {"n_samples": 100, "lr": 1.05 * limit, "steps": 400, "seed": 0})
    assert not below["full_batch"]["diverged"] and above["full_batch"]["diverged"]


def test_linear_stack_uses_the_notes_column_convention():
    from playground.engine.model import build_model
    from playground.viz.labs.linear_stack import _spec, collapse

    model = build_model(_spec(4, None), seed=3)
    p = {k: t.data.astype(np.float64) for k, t in model.named_parameters()}
    w1, w2, w3 = (p[f"layers.{i}.weight"].T for i in range(3))  # (out, in), as in the notes
    b1, b2, b3 = (p[f"layers.{i}.bias"] for i in range(3))
    w, b = collapse(model)
    assert np.allclose(w, w3 @ w2 @ w1) and np.allclose(b, w3 @ (w2 @ b1 + b2) + b3)
    x = np.array([0.3, -0.7])
    assert np.allclose(model(x[None].astype(np.float32)).data[0], w @ x + b, atol=1e-5)


def test_perceptron_rate_only_rescales_weights_from_zero(client):
    runs = [post(client, "perceptron", {"dataset": "separable", "lr": lr, "seed": 0}) for lr in (0.1, 1.0, 5.0)]
    assert runs[0]["errors_per_epoch"] == runs[1]["errors_per_epoch"] == runs[2]["errors_per_epoch"]
    assert np.allclose(np.array(runs[1]["w"]) * 5, runs[2]["w"]) and np.allclose(np.array(runs[1]["b"]) * 0.1, runs[0]["b"])


def test_approximation_box_is_two_sigmoids_and_boxes_follow_sin(client):
    d = post(client, "approximation", {"a": -1, "b": 1, "slope": 10, "height": 2})
    x = np.array(d["x"])
    s = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    assert np.allclose(d["bump"], 2 * (s(10 * (x + 1)) - s(10 * (x - 1))), atol=1e-6)
    assert np.allclose(np.add(d["units"][0]["values"], d["units"][1]["values"]), d["bump"])
    assert d["units"][0]["b1"] == pytest.approx(10.0) and d["units"][1]["w2"] == -2
    assert max(d["bump"]) == pytest.approx(2, abs=1e-3) and abs(d["bump"][0]) < 1e-3
    few = post(client, "approximation", {"slope": 20, "boxes": 4})["boxes"]
    many = post(client, "approximation", {"slope": 60, "boxes": 30})["boxes"]
    assert many["hidden_units"] == 60 and many["max_error"] < few["max_error"] < 1
    assert many["max_error"] < 0.15
