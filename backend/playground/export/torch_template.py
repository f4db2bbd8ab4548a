"""The fixed text of the PyTorch export: model.py around its layer list, the
helper modules some layers need, and the README that goes into the zip.

``torch_export.py`` fills in the layer lines; nothing here imports torch.
"""

from __future__ import annotations

HEADER = '''"""{headline}

{input_text}
The network returns the raw outputs ({output_text}).

    from model import load
    net = load()              # weights from weights.safetensors beside this file
{usage}
build() gives the same network with PyTorch's own fresh initialization: edit
its layer list (names are the playground's layer indices) to make it yours.
"""

from collections import OrderedDict
from pathlib import Path

{imports}from safetensors.torch import load_file
from torch import nn

INPUT_SHAPE = {input_shape}  # one input, without the batch axis
'''

# A module class goes into model.py only when some layer uses it.
HELPERS = {
    "PadAvgPool2d": '''

class PadAvgPool2d(nn.Module):
    """Average pooling with TensorFlow's SAME padding, which may put one more
    row or column after than before (nn.AvgPool2d pads both sides equally).
    Each window is divided by the number of real inputs in it, not padding."""

    def __init__(self, kernel_size, stride, pad):
        super().__init__()
        self.pad = pad  # (left, right, top, bottom), as F.pad takes it
        self.pool = nn.AvgPool2d(kernel_size, stride)

    def forward(self, x):
        ones = torch.ones_like(x[:1, :1])
        return self.pool(F.pad(x, self.pad)) / self.pool(F.pad(ones, self.pad))
''',
    "BlurPool": '''

class BlurPool(nn.Module):
    """Max pooling with antialiasing, as the playground's `antialias` option: the
    max over each window at stride 1, then the binomial [1 2 1] x [1 2 1] / 16
    blur of each channel, zero-padded by one pixel and taken every `stride`."""

    def __init__(self, channels, kernel_size, stride, pad):
        super().__init__()
        self.pad = pad  # (left, right, top, bottom) of the stride-1 max, as F.pad takes it
        self.pool = nn.MaxPool2d(kernel_size, 1)
        self.stride, self.channels = stride, channels
        k = torch.tensor([1.0, 2.0, 1.0])
        # Not a weight: a fixed filter, kept out of the state dict.
        self.register_buffer("kernel", (torch.outer(k, k) / 16).expand(channels, 1, 3, 3).clone(), persistent=False)

    def forward(self, x):
        x = self.pool(F.pad(x, self.pad, value=float("-inf")))
        return F.conv2d(x, self.kernel, stride=self.stride, padding=1, groups=self.channels)
''',
    "Features": '''

class Features(nn.Module):
    """The playground's input features of a 2-D point (x1, x2), as in
    TensorFlow Playground, in the order chosen."""

    def __init__(self, names):
        super().__init__()
        self.names = list(names)

    def forward(self, x):
        x1, x2 = x[:, :1], x[:, 1:2]
        made = {"x1": x1, "x2": x2, "x1_sq": x1 * x1, "x2_sq": x2 * x2, "x1x2": x1 * x2,
                "sin_x1": torch.sin(x1), "sin_x2": torch.sin(x2)}
        return torch.cat([made[name] for name in self.names], dim=1)
''',
    "FlattenHWC": '''

class FlattenHWC(nn.Module):
    """Flatten in the playground's (height, width, channels) order. Where a
    dense layer follows a flatten, nn.Flatten's (channels, height, width)
    order is used instead and that layer's weights are permuted to match;
    here no dense layer follows, so the values keep the playground's order."""

    def forward(self, x):
        return x.permute(0, 2, 3, 1).flatten(1)
''',
}

BUILD = '''

def build() -> nn.Sequential:
    """The network, freshly initialized by PyTorch."""
    return nn.Sequential(OrderedDict([
{lines}
    ]))


def load(path=None) -> nn.Sequential:
    """build() with the exported weights, in eval mode (dropout off)."""
    net = build()
    net.load_state_dict(load_file(str(path or Path(__file__).with_name("weights.safetensors"))))
    return net.eval()
'''

README = '''# {title}: PyTorch version

Exported from NN Playground. The zip holds:

- `model.py`: the network as an editable `nn.Sequential` and `load()`;
- `weights.safetensors`: the trained weights (safetensors: plain arrays, no pickle);
- `spec.json`: the playground spec the network was built from.

## Load it

```
pip install torch safetensors
```

```python
import torch
from model import load

net = load()                      # reads weights.safetensors beside model.py
{usage}```

{layout_text}

## Keep training

`net` returns {output_text}.
{train_text}
Call `net.train()` before training (it switches dropout on, if the network
has any) and `net.eval()` before predicting again.

## What changed on the way

- Convolution weights go from the playground's (kh, kw, in, out) to PyTorch's
  (out, in, kh, kw), dense weights from (in, out) to (out, in).
- The playground flattens an image in (height, width, channels) order and
  `nn.Flatten` in (channels, height, width) order; the weights of the first
  dense layer after a flatten were permuted so that the network computes the
  same function.
- TensorFlow's SAME padding, which may pad one more row or column after than
  before, is an `nn.ZeroPad2d` (or a -inf `nn.ConstantPad2d` before a
  max-pool, or `PadAvgPool2d` for average pooling) where the two sides differ.
- Dropout is `nn.Dropout`: active in `net.train()` only, as in the playground.
'''

LAYOUT_TEXT = {
    "image": ("The input is channels-first, x of shape {shape} = (N, channels, height, width).\n"
              "The playground's images are (N, height, width, channels): `x.permute(0, 3, 1, 2)`\n"
              "turns them into PyTorch's order. MNIST pixels are scaled to [0, 1]\n"
              "(value / 255), as in the playground."),
    "vector": "The input is x of shape {shape}, float32, as in the playground.",
}

TRAIN_TEXT = {
    "softmax_cross_entropy": "Train it with `nn.CrossEntropyLoss()` on these logits and integer labels: "
                             "it applies the softmax itself, as the playground's loss does.",
    "binary_cross_entropy": "Train it with `nn.BCEWithLogitsLoss()` on these logits and 0/1 targets "
                            "of shape (N, 1): it applies the sigmoid itself, as the playground's loss does.",
    "mse": "Train it with `nn.MSELoss()`, the playground's loss.",
}

OUTPUT_TEXT = {
    "softmax_cross_entropy": "logits: `net(x).softmax(dim=1)` gives the class probabilities",
    "binary_cross_entropy": "one logit per input: `torch.sigmoid(net(x))` is the probability of class 1",
    "mse": "the predicted values",
}

USAGE = {
    "softmax_cross_entropy": "    probabilities = net(x).softmax(dim=1)   # x: {shape}\n",
    "binary_cross_entropy": "    probability = torch.sigmoid(net(x))   # x: {shape}\n",
    "mse": "    prediction = net(x)   # x: {shape}\n",
}
