"""Tests for playground.engine.metrics."""

import json

import numpy as np

from playground.engine import metrics


def test_predictions_multiclass_and_binary():
    logits = np.array([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]])
    assert metrics.predictions(logits).tolist() == [1, 0]
    assert metrics.predictions(np.array([[0.5], [-0.2], [0.0]])).tolist() == [1, 0, 0]
    assert metrics.predictions(np.array([-1.0, 2.0])).tolist() == [0, 1]


def test_accuracy():
    logits = np.array([[0.1, 2.0], [3.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert metrics.accuracy(logits, np.array([1, 0, 0, 0])) == 0.75
    assert metrics.accuracy(np.array([[1.0], [-1.0]]), np.array([1, 1])) == 0.5


def test_confusion_and_per_class():
    labels = np.array([0, 0, 1, 1, 1, 2])
    pred = np.array([0, 1, 1, 1, 0, 2])
    cm = metrics.confusion_matrix(pred, labels, 4)
    expected = np.zeros((4, 4), dtype=np.int64)
    for t, p in zip(labels, pred):
        expected[t, p] += 1
    np.testing.assert_array_equal(cm, expected)
    pca = metrics.per_class_accuracy(cm)
    assert pca[0] == 0.5 and abs(pca[1] - 2 / 3) < 1e-12 and pca[2] == 1.0 and pca[3] is None
    assert metrics.misclassified(pred, labels) == [1, 4]
    assert metrics.misclassified(pred, labels, limit=1) == [1]


def test_histogram_matches_numpy_and_handles_edge_cases():
    rng = np.random.default_rng(0)
    a = rng.normal(size=1000).astype(np.float32)
    h = metrics.histogram(a, bins=30)
    counts, edges = np.histogram(a, bins=30)
    assert h["counts"] == counts.tolist()
    np.testing.assert_allclose(h["edges"], edges, rtol=1e-6, atol=1e-5)
    const = metrics.histogram(np.zeros(5))
    assert sum(const["counts"]) == 5 and len(const["edges"]) == 31
    bad = metrics.histogram(np.array([np.nan, np.inf, 1.0, 2.0]), bins=4)
    assert sum(bad["counts"]) == 2
    empty = metrics.histogram(np.array([np.nan]), bins=3)
    assert empty["counts"] == [0, 0, 0]


def test_stats_values_and_json_ready():
    a = np.array([[1.0, -2.0], [3.0, 4.0]], dtype=np.float32)
    s = metrics.stats(a)
    assert s["mean"] == 1.5 and s["min"] == -2.0 and s["max"] == 4.0
    assert abs(s["std"] - np.std(a)) < 1e-6 and abs(s["norm"] - np.sqrt(30)) < 1e-6
    assert sum(s["hist"]["counts"]) == 4
    nan = metrics.stats(np.array([np.nan, 1.0]))
    assert nan["mean"] is None
    json.dumps(s, allow_nan=False)
    json.dumps(nan, allow_nan=False)


def test_dead_fraction_dense_and_conv():
    dense = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 2.0, 0.0]])
    assert metrics.dead_fraction(dense) == 0.5
    conv = np.zeros((2, 3, 3, 4))
    conv[1, 2, 2, 0] = 1.0  # one live position is enough to keep channel 0 alive
    conv[0, 0, 0, 3] = 0.5
    assert metrics.dead_fraction(conv) == 0.5


def test_confidences_are_the_probability_of_the_prediction():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(50, 4)) * 5
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    assert np.allclose(metrics.confidences(z), p.max(axis=1), rtol=1e-12)
    b = rng.normal(size=(50, 1)) * 5
    s = 1 / (1 + np.exp(-b[:, 0]))
    assert np.allclose(metrics.confidences(b), np.maximum(s, 1 - s), rtol=1e-12)
    assert np.all(metrics.confidences(np.array([[1e4, -1e4], [0.0, 0.0]])) == [1.0, 0.5])  # no overflow


def test_threshold_counts_against_a_loop_and_the_confusion_matrix():
    rng = np.random.default_rng(1)
    k, n = 4, 500
    labels = rng.integers(0, k, n)
    pred = np.where(rng.random(n) < 0.7, labels, rng.integers(0, k, n))
    conf = rng.uniform(1 / k, 1, n)
    table = metrics.threshold_counts(pred, labels, conf, k)
    cm = metrics.confusion_matrix(pred, labels, k)
    assert table["thresholds"][0] == 0.0 and table["thresholds"][-1] == 0.999
    for c in range(k):
        for i, t in enumerate(table["thresholds"]):
            called = (pred == c) & (conf >= t)
            assert table["false_positives"][c][i] == np.count_nonzero(called & (labels != c))
            assert table["true_positives"][c][i] == np.count_nonzero(called & (labels == c))
        # threshold 0: every prediction counts, so the counts are the matrix's column
        assert table["false_positives"][c][0] == cm[:, c].sum() - cm[c, c]
        assert table["true_positives"][c][0] == cm[c, c]
        assert table["positives"][c] == cm[c].sum() and table["negatives"][c] == n - cm[c].sum()
        assert all(a >= b for a, b in zip(table["false_positives"][c], table["false_positives"][c][1:]))
    json.dumps(table)
