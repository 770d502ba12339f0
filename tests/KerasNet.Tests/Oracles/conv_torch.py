"""PyTorch oracle for KerasNet's convolution layers (forward, input and weight gradients), computed in float64.

usage: conv_torch.py DIR
DIR/cases.json is a list of cases {"kind": conv | conv_transpose | depthwise | separable, "rank": 1 | 2,
"kernel", "strides", "dilation": lists of `rank` ints, "padding": valid | same | causal, "groups", "output_padding"
(list or null), "activation", "weights": the weight files present, in Keras order, from "w" (kernel or depthwise kernel),
"p" (pointwise kernel), "b" (bias)}. Case i reads DIR/{i}_x.npy (channels_last: (N, steps, C) or (N, H, W, C)),
{i}_{w,p,b}.npy in Keras layouts, and {i}_r.npy (the upstream gradient, L = sum(y * r)); it writes {i}_y.npy,
{i}_dx.npy and {i}_d{w,p,b}.npy.

Keras's semantics are written here from Keras's and TensorFlow's source, independently of KerasNet:
* layouts: channels_last <-> torch's channels_first with permute; Conv kernels (k..., C / groups, F) -> (F, C / groups, k...);
  transposed kernels (k..., F, C) -> torch's (C, F, k...); a depthwise kernel (k..., C, M) is a groups=C convolution
  whose weight is the kernel reshaped to (k..., 1, C * M), output channel c * M + m (TensorFlow's order).
* padding: TensorFlow's 'same' pads total = max((ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0), total // 2 before and
  the rest after (the odd pixel at the bottom/right); 'causal' pads (k - 1) * d before only; then an unpadded torch op.
* transposed convolutions (tf.nn.conv2d_transpose with Keras's output size): the output length is Keras's
  deconv_output_length; the result is torch's full, unpadded conv_transpose cropped from the top/left by the padding
  TensorFlow's forward convolution from that output size would use, and zero-extended at the bottom/right when the
  output is longer than the full result (output_padding, or kernels shorter than their stride).
"""
import json
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def load(d, i, name):
    return torch.from_numpy(np.load(f"{d}/{i}_{name}.npy").astype(np.float64))


def save(d, i, name, t):
    np.save(f"{d}/{i}_{name}.npy", t.detach().numpy().astype(np.float32))


def eff(k, d):
    return (k - 1) * d + 1


def tf_pads(n, k, s, d, padding):
    """(before, after) padding of TensorFlow's forward convolution along one axis."""
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return eff(k, d) - 1, 0
    out = math.ceil(n / s)
    total = max((out - 1) * s + eff(k, d) - n, 0)
    return total // 2, total - total // 2


def deconv_length(n, k, s, d, padding, op):
    """Keras's conv_utils.deconv_output_length."""
    k = eff(k, d)
    if op is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    pad = 0 if padding == "valid" else k // 2
    return (n - 1) * s + k - 2 * pad + op


def to_first(x, rank):
    return x.permute(0, 2, 1) if rank == 1 else x.permute(0, 3, 1, 2)


def to_last(y, rank):
    return y.permute(0, 2, 1) if rank == 1 else y.permute(0, 2, 3, 1)


def conv_kernel(w, rank):
    """Keras (k..., in, out) -> torch (out, in, k...)."""
    return w.permute(2, 1, 0) if rank == 1 else w.permute(3, 2, 0, 1)


def depthwise_kernel(w, rank):
    """Keras (k..., C, M) -> torch groups=C weight (C * M, 1, k...)."""
    c, m = w.shape[-2], w.shape[-1]
    return conv_kernel(w.reshape(*w.shape[:-2], 1, c * m), rank)


def pad_spatial(x, c):
    """F.pad's argument list is last axis first: (left, right[, top, bottom])."""
    n = x.shape[2:]
    pads = [tf_pads(n[a], c["kernel"][a], c["strides"][a], c["dilation"][a], c["padding"]) for a in range(c["rank"])]
    flat = []
    for before, after in reversed(pads):
        flat += [before, after]
    return F.pad(x, flat)


def conv(x, weight, c, groups):
    op = F.conv1d if c["rank"] == 1 else F.conv2d
    return op(pad_spatial(x, c), weight, stride=c["strides"], dilation=c["dilation"], groups=groups)


def conv_transpose(x, w, c):
    rank = c["rank"]
    weight = w.permute(2, 1, 0) if rank == 1 else w.permute(3, 2, 0, 1)  # (k..., F, C) -> (C, F, k...)
    op = F.conv_transpose1d if rank == 1 else F.conv_transpose2d
    full = op(x, weight, stride=c["strides"], dilation=c["dilation"])
    out = full
    for a in range(rank):
        n, k, s, d = x.shape[2 + a], c["kernel"][a], c["strides"][a], c["dilation"][a]
        ops = c.get("output_padding")
        length = deconv_length(n, k, s, d, c["padding"], None if ops is None else ops[a])
        before, _ = tf_pads(length, k, s, d, c["padding"])
        axis = 2 + a
        have = out.shape[axis]
        if before + length > have:
            shape = list(out.shape)
            shape[axis] = before + length - have
            out = torch.cat([out, torch.zeros(shape)], dim=axis)
        out = out.narrow(axis, before, length)
    return out


def activate(y, name):
    if name in (None, "linear"):
        return y
    if name == "relu":
        return torch.relu(y)
    if name == "sigmoid":
        return torch.sigmoid(y)
    if name == "tanh":
        return torch.tanh(y)
    if name == "softmax":
        return torch.softmax(y, dim=1)  # Keras's last (channel) axis, which is torch's axis 1 here
    raise ValueError(name)


def add_bias(y, b):
    return y if b is None else y + b.reshape(1, -1, *([1] * (y.dim() - 2)))


def forward(c, x, w, p, b):
    rank = c["rank"]
    xf = to_first(x, rank)
    kind = c["kind"]
    if kind == "conv":
        y = conv(xf, conv_kernel(w, rank), c, c["groups"])
    elif kind == "depthwise":
        y = conv(xf, depthwise_kernel(w, rank), c, xf.shape[1])
    elif kind == "separable":
        mid = conv(xf, depthwise_kernel(w, rank), c, xf.shape[1])
        op = F.conv1d if rank == 1 else F.conv2d
        y = op(mid, conv_kernel(p, rank))
    elif kind == "conv_transpose":
        y = conv_transpose(xf, w, c)
    else:
        raise ValueError(kind)
    return to_last(activate(add_bias(y, b), c["activation"]), rank)


def main():
    d = sys.argv[1]
    with open(f"{d}/cases.json") as f:
        cases = json.load(f)
    for i, c in enumerate(cases):
        x = load(d, i, "x").requires_grad_(True)
        ws = {name: load(d, i, name).requires_grad_(True) for name in c["weights"]}
        y = forward(c, x, ws.get("w"), ws.get("p"), ws.get("b"))
        (y * load(d, i, "r")).sum().backward()
        save(d, i, "y", y)
        save(d, i, "dx", x.grad)
        for name, t in ws.items():
            save(d, i, "d" + name, t.grad)


if __name__ == "__main__":
    main()
