"""ONNX oracle for graph (Functional) models: rebuilds a Keras model in PyTorch from its to_json() description
(tf.keras 2.4 form: layers with inbound_nodes [[[layer, node, tensor, {}], ...]]) and per-layer .npy weights, then
exports it with torch.onnx.export so that ONNX Runtime evaluates it. Covers MobileNetV2's layers: Conv2D,
DepthwiseConv2D, BatchNormalization, ReLU (max_value), ZeroPadding2D, Add, GlobalAveragePooling2D, Dense, Activation,
Dropout; each layer called once.

usage: onnx_export_graph.py DIR
DIR/model.json: Keras model.to_json(); DIR/{layer}__{weight}.npy: weights in Keras layouts.
Writes DIR/model.onnx with input "input" (NHWC float32, dynamic batch) and output "output" (NHWC when 4-D).
BatchNormalization is exported as ONNX BatchNormalization (not folded here: folding is ONNX Runtime's own business).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_export import ACTIVATIONS, load, pads_and_out  # noqa: E402  (same padding rules as the Sequential oracle)


def check_channels_last(c):
    if c.get("data_format", "channels_last") != "channels_last":
        raise ValueError(f"layer {c['name']}: only channels_last is supported")


class KerasGraph(nn.Module):
    """Runs the config's layers in their listed order (tf.keras lists every layer after the layers it reads)."""

    def __init__(self, d, config):
        super().__init__()
        cfg = config["config"]
        self.params = nn.ParameterList()
        self.steps = []  # (name, op, input names, args)
        self.shapes = {}  # layer name -> ("chw", c, h, w) or ("flat", n)
        for entry in cfg["layers"]:
            kind, c, name = entry["class_name"], entry["config"], entry["name"]
            nodes = entry["inbound_nodes"]
            if len(nodes) > 1:
                raise ValueError(f"layer {name}: shared layers are not supported")
            inputs = [ref[0] for ref in nodes[0]] if nodes else []
            shape = self.shapes[inputs[0]] if inputs else None
            self.shapes[name], op, args = self.layer(d, kind, c, name, shape)
            self.steps.append((name, op, inputs, args))
        (self.input_name,) = [ref[0] for ref in cfg["input_layers"]]
        (self.output_name,) = [ref[0] for ref in cfg["output_layers"]]

    def param(self, t):
        p = nn.Parameter(t.contiguous(), requires_grad=False)
        self.params.append(p)
        return p

    def layer(self, d, kind, c, name, shape):
        if kind == "InputLayer":
            _, h, w, ch = c.get("batch_input_shape") or c.get("batch_shape")
            self.input_shape = (h, w, ch)
            return ("chw", ch, h, w), "input", ()
        if kind == "Dropout":
            return shape, "identity", ()
        if kind in ("Conv2D", "DepthwiseConv2D"):
            check_channels_last(c)
            if c.get("dilation_rate", [1, 1]) != [1, 1] or c.get("groups", 1) != 1:
                raise ValueError(f"layer {name}: dilation and groups are not supported")
            k, s = c["kernel_size"], c["strides"]
            pads, oh, ow = pads_and_out(c, shape[2], shape[3], k, s)
            if kind == "Conv2D":
                wt = load(d, name, "kernel").permute(3, 2, 0, 1)  # (kh, kw, in, out) -> (out, in, kh, kw)
                groups, out = 1, c["filters"]
            else:
                kk = load(d, name, "depthwise_kernel")  # (kh, kw, c, m): output channel c * m + j
                kh, kw, ch, m = kk.shape
                wt = kk.reshape(kh, kw, ch * m).permute(2, 0, 1).unsqueeze(1)
                groups, out = ch, ch * m
            b = self.param(load(d, name, "bias")) if c["use_bias"] else None
            return ("chw", out, oh, ow), "conv", (pads, self.param(wt), b, tuple(s), groups, c["activation"])
        if kind == "BatchNormalization":
            axis = c["axis"]
            axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
            if axis not in (-1, 3 if shape[0] == "chw" else 1):
                raise ValueError(f"layer {name}: only the channel axis is supported, got {c['axis']}")
            n = shape[1]
            gamma = self.param(load(d, name, "gamma")) if c["scale"] else None
            beta = self.param(load(d, name, "beta")) if c["center"] else None
            mean, var = self.param(load(d, name, "moving_mean")), self.param(load(d, name, "moving_variance"))
            assert mean.shape == (n,)
            return shape, "bn", (mean, var, gamma, beta, float(c["epsilon"]))
        if kind == "ReLU":
            if float(c.get("negative_slope", 0) or 0) != 0 or float(c.get("threshold", 0) or 0) != 0:
                raise ValueError(f"layer {name}: only ReLU with slope 0 and threshold 0 is supported")
            mv = c.get("max_value")
            return shape, "relu", (None if mv is None else float(mv),)
        if kind == "ZeroPadding2D":
            check_channels_last(c)
            (top, bottom), (left, right) = c["padding"]
            return ("chw", shape[1], shape[2] + top + bottom, shape[3] + left + right), "pad", ((left, right, top, bottom),)
        if kind == "Add":
            return shape, "add", ()
        if kind == "GlobalAveragePooling2D":
            check_channels_last(c)
            keep = bool(c.get("keepdims", False))
            return (("chw", shape[1], 1, 1) if keep else ("flat", shape[1])), "gap", (keep,)
        if kind == "Dense":
            if shape[0] != "flat":
                raise ValueError(f"layer {name}: Dense is supported on flat inputs only")
            wt = self.param(load(d, name, "kernel").t())
            b = self.param(load(d, name, "bias")) if c["use_bias"] else None
            return ("flat", c["units"]), "dense", (wt, b, c["activation"])
        if kind == "Activation":
            return shape, "act", (c["activation"],)
        raise ValueError(f"layer {name}: class {kind} is not supported by the ONNX graph oracle")

    def forward(self, x):
        values = {}
        for name, op, inputs, args in self.steps:
            xs = [values[i] for i in inputs]
            if op == "input":
                y = x.permute(0, 3, 1, 2)  # NHWC in, NCHW inside
            elif op == "identity":
                y = xs[0]
            elif op == "conv":
                pads, wt, b, s, groups, act = args
                y = ACTIVATIONS[act](F.conv2d(F.pad(xs[0], pads), wt, b, stride=s, groups=groups))
            elif op == "bn":
                mean, var, gamma, beta, eps = args
                y = F.batch_norm(xs[0], mean, var, gamma, beta, training=False, eps=eps)
            elif op == "relu":
                (mv,) = args
                y = torch.relu(xs[0]) if mv is None else torch.clamp(xs[0], 0.0, mv)
            elif op == "pad":
                y = F.pad(xs[0], args[0])
            elif op == "add":
                y = xs[0]
                for other in xs[1:]:
                    y = y + other
            elif op == "gap":
                y = xs[0].mean(dim=(2, 3), keepdim=args[0])
            elif op == "dense":
                wt, b, act = args
                y = ACTIVATIONS[act](F.linear(xs[0], wt, b))
            elif op == "act":
                y = ACTIVATIONS[args[0]](xs[0])
            values[name] = y
        out = values[self.output_name]
        return out.permute(0, 2, 3, 1) if out.dim() == 4 else out


def export(d):
    with open(os.path.join(d, "model.json")) as f:
        config = json.load(f)
    model = KerasGraph(d, config).eval()
    dummy = torch.zeros(2, *model.input_shape)
    kwargs = {}
    if "dynamo" in torch.onnx.export.__code__.co_varnames:
        kwargs["dynamo"] = False  # the TorchScript exporter: no onnxscript needed
    torch.onnx.export(model, dummy, os.path.join(d, "model.onnx"), input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=13, **kwargs)


if __name__ == "__main__":
    export(sys.argv[1])
