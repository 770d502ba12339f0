"""ONNX oracle: rebuilds a Keras Sequential model in PyTorch from its to_json() description and per-layer .npy
weights, then exports it with torch.onnx.export so that ONNX Runtime (not KerasNet, not torch) evaluates it.

usage: onnx_export.py DIR [--mutate same-padding]
DIR/model.json: Keras model.to_json(); DIR/{layer}__{weight}.npy: weights in Keras layouts
(Conv2D kernel (kh, kw, in, out), Dense kernel (in, out), biases (out,)).
Writes DIR/model.onnx whose input "input" is NHWC float32 with a dynamic batch axis, like KerasNet's Predict.

--mutate same-padding puts TensorFlow's extra 'same' padding row/column before the data instead of after
(PyTorch's convention); the tests use it to show that the comparison notices a padding mistake.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

MUTATE_SAME = "--mutate" in sys.argv and sys.argv[sys.argv.index("--mutate") + 1] == "same-padding"

ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "softmax": lambda x: torch.softmax(x, dim=-1),
}


def same_pads(size, k, s):
    """TensorFlow 'same': out = ceil(size / s), the odd extra row goes after the data."""
    out = math.ceil(size / s)
    total = max((out - 1) * s + k - size, 0)
    before, after = total // 2, total - total // 2
    if MUTATE_SAME:
        before, after = after, before
    return before, after, out


def pads_and_out(c, h, w, k, s):
    """(F.pad tuple (left, right, top, bottom), out_h, out_w) for a window layer on an h x w map."""
    if c["padding"] == "valid":
        return (0, 0, 0, 0), (h - k[0]) // s[0] + 1, (w - k[1]) // s[1] + 1
    if c["padding"] != "same":
        raise ValueError(f"layer {c['name']}: padding {c['padding']!r} is not supported by the ONNX oracle")
    top, bottom, oh = same_pads(h, k[0], s[0])
    left, right, ow = same_pads(w, k[1], s[1])
    return (left, right, top, bottom), oh, ow


def load(d, layer, weight):
    return torch.from_numpy(np.load(os.path.join(d, f"{layer}__{weight}.npy")).astype(np.float32))


class KerasSequential(nn.Module):
    """The layers of the JSON in order; activations map NCHW internally, the ONNX graph takes NHWC."""

    def __init__(self, d, config):
        super().__init__()
        layers = config["config"]["layers"]
        first = layers[0]["config"]
        batch_shape = first.get("batch_input_shape") or first.get("batch_shape")
        self.steps = []
        self.params = nn.ParameterList()
        if len(batch_shape) == 2:  # a vector input (an MLP): no image axes to reorder
            self.input_shape = (batch_shape[1],)
            shape = ("flat", batch_shape[1])
        else:
            _, h, w, ch = batch_shape
            self.input_shape = (h, w, ch)
            shape = ("chw", ch, h, w)
        for entry in layers:
            kind, c = entry["class_name"], entry["config"]
            if kind in ("InputLayer", "Dropout"):
                continue  # Dropout is the identity at inference.
            if kind == "Conv2D":
                if c.get("dilation_rate", [1, 1]) != [1, 1] or c.get("data_format", "channels_last") != "channels_last":
                    raise ValueError(f"layer {c['name']}: only channels_last, undilated Conv2D is supported")
                k, s = c["kernel_size"], c["strides"]
                pads, oh, ow = pads_and_out(c, shape[2], shape[3], k, s)
                wt = nn.Parameter(load(d, c["name"], "kernel").permute(3, 2, 0, 1).contiguous(), requires_grad=False)
                b = nn.Parameter(load(d, c["name"], "bias"), requires_grad=False) if c["use_bias"] else None
                self.params.append(wt)
                if b is not None:
                    self.params.append(b)
                self.steps.append(("conv", pads, wt, b, tuple(s), c["activation"]))
                shape = ("chw", c["filters"], oh, ow)
            elif kind in ("MaxPooling2D", "AveragePooling2D"):
                k, s = c["pool_size"], c["strides"] or c["pool_size"]
                pads, oh, ow = pads_and_out(c, shape[2], shape[3], k, s)
                if kind == "MaxPooling2D":
                    self.steps.append(("maxpool", pads, tuple(k), tuple(s)))
                else:
                    # Keras averages over the window's real pixels only: divide the zero-padded window sum by the
                    # count of real pixels, which depends on the map size alone (a constant of the graph).
                    ones = F.pad(torch.ones(1, 1, shape[2], shape[3]), pads)
                    count = F.avg_pool2d(ones, tuple(k), tuple(s)) * (k[0] * k[1])
                    self.steps.append(("avgpool", pads, tuple(k), tuple(s), count))
                shape = ("chw", shape[1], oh, ow)
            elif kind == "Flatten":
                self.steps.append(("flatten",))
                shape = ("flat", shape[1] * shape[2] * shape[3])
            elif kind == "Dense":
                wt = nn.Parameter(load(d, c["name"], "kernel").t().contiguous(), requires_grad=False)
                b = nn.Parameter(load(d, c["name"], "bias"), requires_grad=False) if c["use_bias"] else None
                self.params.append(wt)
                if b is not None:
                    self.params.append(b)
                self.steps.append(("dense", wt, b, c["activation"]))
                shape = ("flat", c["units"])
            elif kind == "Activation":
                self.steps.append(("act", c["activation"]))
            else:
                raise ValueError(f"layer {c.get('name')}: class {kind} is not supported by the ONNX oracle")

    def forward(self, x):
        if x.dim() == 4:
            x = x.permute(0, 3, 1, 2)  # NHWC in, NCHW inside.
        for step in self.steps:
            op = step[0]
            if op == "conv":
                _, pads, wt, b, s, act = step
                x = ACTIVATIONS[act](F.conv2d(F.pad(x, pads), wt, b, stride=s))
            elif op == "maxpool":
                _, pads, k, s = step
                x = F.max_pool2d(F.pad(x, pads, value=float("-inf")), k, s)
            elif op == "avgpool":
                _, pads, k, s, count = step
                x = F.avg_pool2d(F.pad(x, pads), k, s) * (k[0] * k[1]) / count
            elif op == "flatten":
                # Keras flattens channels_last maps in (H, W, C) order.
                x = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
            elif op == "dense":
                _, wt, b, act = step
                x = ACTIVATIONS[act](F.linear(x, wt, b))
            elif op == "act":
                x = ACTIVATIONS[step[1]](x)
        return x


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "model.json")) as f:
        config = json.load(f)
    model = KerasSequential(d, config).eval()
    dummy = torch.zeros(2, *model.input_shape)
    torch.onnx.export(model, dummy, os.path.join(d, "model.onnx"), input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=13)


if __name__ == "__main__":
    main()
