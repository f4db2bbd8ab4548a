"""Small specs that together use every layer type, every activation (as a layer
and inside dense/conv), SAME and VALID padding with stride 1 and 2 on odd and
even sizes (symmetric and asymmetric SAME pads), max and average pooling, and
all three losses. The comment of a case says what it pins down."""

from __future__ import annotations


def _img(h, w, c, layers, loss="softmax_cross_entropy"):
    return {"input_shape": [h, w, c], "layers": layers, "loss": loss}


def _head(units=3):
    return [{"type": "flatten"}, {"type": "dense", "units": units}]


SPECS = {
    # SAME, stride 1, odd kernel on an odd size: 1 pixel on every side
    "conv_same_s1_odd": _img(7, 7, 2, [{"type": "conv2d", "filters": 3, "kernel_size": 3, "padding": "same"},
                                       *_head()]),
    # SAME, stride 1, even kernel: 0 before, 1 after (asymmetric)
    "conv_same_s1_even_kernel": _img(6, 6, 1, [{"type": "conv2d", "filters": 2, "kernel_size": 2,
                                                "padding": "same"}, *_head()]),
    # SAME, stride 2, even size: total 1 -> 0 before, 1 after
    "conv_same_s2_even": _img(8, 8, 1, [{"type": "conv2d", "filters": 3, "kernel_size": 3, "stride": 2,
                                         "padding": "same", "activation": "relu"}, *_head()]),
    # SAME, stride 2, odd size: total 2 -> 1 and 1
    "conv_same_s2_odd": _img(7, 7, 3, [{"type": "conv2d", "filters": 2, "kernel_size": 3, "stride": 2,
                                        "padding": "same", "activation": "tanh"}, *_head()]),
    # height and width padded differently (9 x 6, stride 2, kernel 4)
    "conv_same_rectangular": _img(9, 6, 1, [{"type": "conv2d", "filters": 2, "kernel_size": 4, "stride": 2,
                                             "padding": "same", "activation": "sigmoid"}, *_head()]),
    # SAME with stride 3 > kernel 2 on 8: no padding at all, the last row and column unread
    "conv_same_s3_no_pad": _img(8, 8, 1, [{"type": "conv2d", "filters": 2, "kernel_size": 2, "stride": 3,
                                           "padding": "same"}, *_head()]),
    # VALID, stride 2, the last column dropped by the floor
    "conv_valid_s2": _img(8, 8, 2, [{"type": "conv2d", "filters": 4, "kernel_size": 3, "stride": 2,
                                     "activation": "leaky_relu"}, *_head()]),
    # VALID, stride 1, no bias, softmax over the channels inside the layer
    "conv_valid_nobias_softmax": _img(6, 5, 2, [{"type": "conv2d", "filters": 3, "kernel_size": 4,
                                                 "use_bias": False, "activation": "softmax"}, *_head()]),
    "conv_linear_activation": _img(5, 5, 1, [{"type": "conv2d", "filters": 2, "kernel_size": 3,
                                              "activation": "linear"}, *_head()]),
    # max pooling: default stride, VALID floor, SAME asymmetric (8: 0/1) and symmetric (7 stride 1: 1/1)
    "maxpool_valid": _img(7, 7, 2, [{"type": "maxpool2d"}, *_head()]),
    "maxpool_valid_s2_k3": _img(8, 8, 2, [{"type": "maxpool2d", "pool_size": 3, "stride": 2}, *_head()]),
    "maxpool_same_s2_even": _img(8, 8, 2, [{"type": "maxpool2d", "pool_size": 3, "stride": 2,
                                            "padding": "same"}, *_head()]),
    "maxpool_same_s1_odd": _img(7, 7, 1, [{"type": "maxpool2d", "pool_size": 3, "stride": 1,
                                           "padding": "same"}, *_head()]),
    "maxpool_stride_gt_size": _img(9, 8, 1, [{"type": "maxpool2d", "pool_size": 2, "stride": 3}, *_head()]),
    "maxpool_same_s2_odd": _img(7, 7, 1, [{"type": "maxpool2d", "pool_size": 2, "padding": "same"}, *_head()]),
    # average pooling, SAME dividing by the real inputs: asymmetric (7, k2 s2: 0/1) and symmetric (k3 s1)
    "avgpool_valid": _img(7, 7, 2, [{"type": "avgpool2d"}, *_head()]),
    "avgpool_valid_s1": _img(6, 6, 1, [{"type": "avgpool2d", "pool_size": 3, "stride": 1}, *_head()]),
    "avgpool_same_s2_odd": _img(7, 7, 2, [{"type": "avgpool2d", "pool_size": 2, "padding": "same"}, *_head()]),
    "avgpool_same_s1_odd": _img(6, 6, 1, [{"type": "avgpool2d", "pool_size": 3, "stride": 1,
                                           "padding": "same"}, *_head()]),
    "avgpool_same_s2_even": _img(8, 8, 1, [{"type": "avgpool2d", "pool_size": 3, "stride": 2,
                                            "padding": "same"}, *_head()]),
    # every activation as a layer of its own, on images and on vectors
    "activation_layers_image": _img(6, 6, 2, [
        {"type": "conv2d", "filters": 3, "kernel_size": 3}, {"type": "relu"},
        {"type": "conv2d", "filters": 3, "kernel_size": 2, "padding": "same"}, {"type": "leaky_relu", "alpha": 0.2},
        {"type": "sigmoid"}, {"type": "tanh"}, {"type": "linear"}, {"type": "softmax"}, *_head()]),
    "activation_layers_vector": {"input_shape": [5], "layers": [
        {"type": "dense", "units": 8}, {"type": "leaky_relu"}, {"type": "dense", "units": 8}, {"type": "tanh"},
        {"type": "dense", "units": 6}, {"type": "sigmoid"}, {"type": "dense", "units": 6}, {"type": "relu"},
        {"type": "softmax"}, {"type": "linear"}, {"type": "dense", "units": 4}]},
    # every activation inside dense layers; a dense without bias
    "dense_activations": {"input_shape": [4], "layers": [
        {"type": "dense", "units": 6, "activation": "relu"},
        {"type": "dense", "units": 6, "activation": "leaky_relu"},
        {"type": "dense", "units": 6, "activation": "sigmoid", "use_bias": False},
        {"type": "dense", "units": 6, "activation": "tanh"},
        {"type": "dense", "units": 6, "activation": "softmax"},
        {"type": "dense", "units": 3, "activation": "linear"}]},
    # dropout on images and vectors (left out / eval mode), flatten of a vector
    "dropout": _img(6, 6, 1, [{"type": "conv2d", "filters": 2, "kernel_size": 3}, {"type": "dropout"},
                              {"type": "flatten"}, {"type": "flatten"}, {"type": "dense", "units": 5},
                              {"type": "dropout", "rate": 0.3}, {"type": "dense", "units": 3}]),
    # a flatten with no dense after it: the output vector keeps (h, w, c) order
    "flatten_last": _img(3, 4, 2, [{"type": "conv2d", "filters": 3, "kernel_size": 2}, {"type": "flatten"},
                                   {"type": "tanh"}], loss="mse"),
    # an image output (mse): NHWC from ONNX, NCHW from PyTorch
    "image_output": _img(5, 5, 2, [{"type": "conv2d", "filters": 2, "kernel_size": 3, "padding": "same"},
                                   {"type": "avgpool2d", "pool_size": 2, "padding": "same"}], loss="mse"),
    # nothing but layers that are the identity when predicting: ONNX still needs a node
    "identity_only": {"input_shape": [3], "layers": [{"type": "dropout"}, {"type": "linear"}], "loss": "mse"},
    "binary": {"input_shape": [2], "layers": [{"type": "dense", "units": 4, "activation": "tanh"},
                                              {"type": "dense", "units": 1}], "loss": "binary_cross_entropy"},
    # input features of a 2-D point (every one; and a few, out of table order in the spec)
    "features_all": {"input_shape": [2], "layers": [
        {"type": "features", "x1": True, "x2": True, "x1_sq": True, "x2_sq": True, "x1x2": True,
         "sin_x1": True, "sin_x2": True},
        {"type": "dense", "units": 5, "activation": "tanh"}, {"type": "dense", "units": 2}]},
    "features_some": {"input_shape": [2], "layers": [
        {"type": "features", "x1": False, "x2": False, "x1_sq": True, "x2_sq": True, "sin_x2": True},
        {"type": "dense", "units": 3}]},
    # antialiased max pooling (blur before subsampling): VALID and SAME, stride 2 and 3, odd and even sizes
    "maxpool_antialias_valid": _img(8, 8, 2, [{"type": "maxpool2d", "antialias": True}, *_head()]),
    "maxpool_antialias_same_odd": _img(7, 7, 3, [{"type": "maxpool2d", "pool_size": 2, "padding": "same",
                                                  "antialias": True}, *_head()]),
    "maxpool_antialias_s3_even": _img(9, 8, 1, [{"type": "maxpool2d", "pool_size": 3, "stride": 3,
                                                 "padding": "same", "antialias": True}, *_head()]),
    # a small LeNet: the whole chain conv -> relu -> pool twice -> flatten -> dense
    "lenet_small": _img(12, 12, 1, [
        {"type": "conv2d", "filters": 4, "kernel_size": 5, "padding": "same"}, {"type": "relu"},
        {"type": "maxpool2d"}, {"type": "conv2d", "filters": 6, "kernel_size": 3, "padding": "same",
                                "activation": "relu"},
        {"type": "avgpool2d"}, {"type": "flatten"}, {"type": "dense", "units": 8, "activation": "relu"},
        {"type": "dense", "units": 4}]),
}
