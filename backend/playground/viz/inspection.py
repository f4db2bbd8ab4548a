"""What the inspect views ask of a trained model, computed as JSON-ready dicts.

Every function here is CPU-bound and runs in the API's threadpool, never on
the event loop. `model` is an engine Model (spec, state_dict, predict_proba,
forward_trace); `dataset` an engine Dataset. A request this cannot answer
raises NoSuchLayer (the layer is not there: the API answers 404) or
NotApplicable (the model or dataset does not suit the view: 409); both carry
the field at fault and a message for the student (api/errors.py maps them).
"""

from __future__ import annotations

import numpy as np

from playground.engine import evaluation as evaluation_maths
from playground.engine import losses
from playground.engine.layers import MONOTONE_ACTIVATIONS
from playground.viz import budget, decision, feature_maps, filters, fit_curve, units, weights

EVAL_BATCH = 512
# Layers after which a dense layer still reads the image pixel for pixel.
IMAGE_PRESERVING = {"flatten", "dropout"} | MONOTONE_ACTIVATIONS


class InspectionError(ValueError):
    """A view this model or dataset cannot give; ``field`` names what is at fault."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


class NoSuchLayer(InspectionError):
    """The asked layer does not exist or has nothing to show (HTTP 404)."""


class NotApplicable(InspectionError):
    """The view does not apply to this model or dataset (HTTP 409)."""


def _labels_from_proba(proba: np.ndarray) -> np.ndarray:
    if proba.ndim == 1 or proba.shape[1] == 1:
        return (proba.reshape(-1) > 0.5).astype(np.int64)
    return proba.argmax(axis=1)


def _squeeze_channel(image: np.ndarray) -> np.ndarray:
    """(H, W, 1) -> (H, W) so the page gets a plain 2-D picture; others unchanged."""
    return image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image


def _proba(model, batch: np.ndarray) -> np.ndarray:
    # In chunks sized to the model: 1024 inputs through a wide CNN would hold gigabytes.
    proba = model.predict_proba(batch, batch_size=budget.inference_chunk(model.spec))
    proba = np.asarray(proba, dtype=np.float32)
    return proba.reshape(proba.shape[0], -1)


def predict(model, batch: np.ndarray) -> dict:
    proba = _proba(model, batch)
    return {
        "probabilities": np.nan_to_num(proba).tolist(),
        "predictions": _labels_from_proba(proba).tolist(),
    }


def activations(model, batch: np.ndarray, top_k: int) -> dict:
    proba = _proba(model, batch[:1])
    return {
        "probabilities": np.nan_to_num(proba[0]).tolist(),
        "prediction": int(_labels_from_proba(proba)[0]),
        "layers": feature_maps.feature_maps(model, batch[0], top_k=top_k),
    }


def _layer(model, index: int) -> tuple[dict, np.ndarray, np.ndarray | None]:
    layers = model.spec["layers"]
    if not 0 <= index < len(layers):
        raise NoSuchLayer("index", f"layer {index} does not exist (the model has {len(layers)} layers)")
    state = model.state_dict()
    w = state.get(f"layers.{index}.weight")
    if w is None:
        raise NoSuchLayer("index", f"layer {index} ({layers[index]['type']}) has no weights")
    return layers[index], np.asarray(w), state.get(f"layers.{index}.bias")


def layer_weights(model, index: int, max_units: int) -> dict:
    layer, w, b = _layer(model, index)
    images = None
    # Only a dense layer that reads the image itself (nothing but flatten,
    # activations or dropout before it) has weights that look like images.
    before = {layer["type"] for layer in model.spec["layers"][:index]}
    if layer["type"] == "dense" and before <= IMAGE_PRESERVING:
        imgs = weights.dense_weight_images(w, tuple(model.spec["input_shape"]), max_units=max_units)
        images = imgs.tolist() if imgs is not None else None
    return {
        "index": index,
        "type": layer["type"],
        "weight_shape": list(w.shape),
        "bias_shape": list(b.shape) if b is not None else None,
        "weight": w.tolist(),
        "bias": np.asarray(b).tolist() if b is not None else None,
        "stats": {"weight": weights.array_stats(w), "bias": weights.array_stats(b) if b is not None else None},
        "images": images,
    }


def _conv_kernel(model, index: int) -> np.ndarray:
    layer, w, _ = _layer(model, index)
    if layer["type"] != "conv2d" or w.ndim != 4:
        raise NoSuchLayer("index", f"layer {index} ({layer['type']}) is not a conv2d layer")
    return w


def layer_filters(model, index: int) -> dict:
    w = _conv_kernel(model, index)
    images, ranges = filters.filter_images(w)
    return {"index": index, "shape": list(w.shape), "filters": images.tolist(), "raw_range": ranges.tolist()}


def layer_filters_png(model, index: int, scale: int) -> bytes:
    return filters.filter_grid_png(_conv_kernel(model, index), scale=scale)


def _points(x: np.ndarray | None, y: np.ndarray | None, limit: int) -> dict:
    if x is None or len(x) == 0:
        return {"x": [], "y": []}
    return {"x": np.asarray(x[:limit], np.float64).tolist(), "y": np.asarray(y[:limit]).tolist()}


def is_1d(info) -> bool:
    """A dataset with one input feature: its model draws a curve, not a grid."""
    return info.kind == "1d" or tuple(info.input_shape) == (1,)


def _curve(model, dataset, resolution: int, max_points: int) -> dict:
    train_x = np.concatenate([dataset.x_train, dataset.x_val]) if len(dataset.x_val) else dataset.x_train
    train_y = np.concatenate([dataset.y_train, dataset.y_val]) if len(dataset.y_val) else dataset.y_train
    test_x, test_y = dataset.x_test, dataset.y_test
    xs = [train_x] + ([test_x] if test_x is not None else [])
    ys = [train_y] + ([test_y] if test_y is not None else [])
    result = fit_curve.fit_curve(model, np.concatenate(xs), np.concatenate([np.reshape(v, -1) for v in ys]),
                                 resolution=resolution)
    flat = lambda v: None if v is None else np.reshape(v, (len(v), -1))[:, 0]  # noqa: E731
    result["kind"] = "curve"
    result["train"] = _points(train_x, flat(train_y), max_points)
    result["test"] = _points(test_x, flat(test_y), max_points)
    return result


def decision_grid(model, dataset, resolution: int, max_points: int = 1000) -> dict:
    """2-D datasets: the decision grid; 1-D ones: the fitted curve (kind "curve")."""
    if is_1d(dataset.info):
        return _curve(model, dataset, max(resolution, 100), max_points)
    if dataset.info.kind != "2d":
        raise NotApplicable("dataset", f"the decision grid needs a 2-D dataset; '{dataset.info.name}' is {dataset.info.kind}")
    train_x = np.concatenate([dataset.x_train, dataset.x_val]) if len(dataset.x_val) else dataset.x_train
    train_y = np.concatenate([dataset.y_train, dataset.y_val]) if len(dataset.y_val) else dataset.y_train
    everything = np.concatenate([train_x, dataset.x_test]) if dataset.x_test is not None else train_x
    result = decision.decision_grid(model, everything, resolution=resolution)
    result["kind"] = "grid"
    result["train"] = _points(train_x, train_y, max_points)
    result["test"] = _points(dataset.x_test, dataset.y_test, max_points)
    return result


def unit_views(model, dataset) -> dict:
    """Each hidden unit of a model with one or two inputs over the input space; 409 otherwise."""
    if tuple(model.report.input_shape) not in ((1,), (2,)):  # before any copy of an image set
        raise NotApplicable("model", f"unit views need a model with one or two inputs; this one reads {list(model.report.input_shape)}")
    parts = [a for a in (dataset.x_train, dataset.x_val, dataset.x_test) if a is not None and len(a)]
    return units.unit_views(model, dataset.x_train, np.concatenate(parts))


def evaluation(model, dataset, limit: int = 64) -> dict:
    info = dataset.info
    if not info.num_classes:
        raise NotApplicable("dataset", "evaluation needs a classification dataset")
    x, y = dataset.x_test, dataset.y_test
    if x is None or len(x) == 0:
        x, y = dataset.x_val, dataset.y_val
    if x is None or len(x) == 0:
        raise NotApplicable("dataset", "the dataset has no test or validation samples")
    name = evaluation_maths.loss_name(model)
    if name == "mse":
        raise NotApplicable("model", "evaluation needs a classifier (softmax or sigmoid output); this model regresses")
    labels = np.asarray(y, dtype=np.int64).reshape(-1)
    outputs = int(np.prod(model.report.output_shape))
    if outputs > 1 and labels.max(initial=0) >= outputs:
        raise NotApplicable("dataset", f"the model has {outputs} outputs but the dataset has {int(labels.max()) + 1} classes")
    # The trainer's own evaluation (one loss formula, one label rule), in chunks sized to the model.
    result = evaluation_maths.evaluate(model, losses.LOSSES[name], name, x, labels,
                                       batch_size=min(EVAL_BATCH, budget.inference_chunk(model.spec)),
                                       max_misclassified=limit, with_predictions=True)
    per_class = result["per_class_accuracy"]
    k = max(int(info.num_classes), len(result["confusion"]), 2)
    known = [(c, a) for c, a in enumerate(per_class) if a is not None]
    gap = None
    if known:
        best = max(known, key=lambda t: t[1])
        worst = min(known, key=lambda t: t[1])
        gap = {"best": best[0], "worst": worst[0], "gap": float(best[1] - worst[1])}
    pred = result["predictions"]
    return {
        "accuracy": result["accuracy"],
        "loss": result["loss"],
        "num_classes": k,
        "confusion": result["confusion"],
        "per_class_accuracy": per_class,
        "largest_gap": gap,
        "thresholds": result["thresholds"],
        "misclassified": [
            {"index": i, "label": int(labels[i]), "prediction": int(pred[i]),
             "image": _squeeze_channel(np.asarray(x[i])).tolist()}
            for i in result["misclassified"]
        ],
    }
