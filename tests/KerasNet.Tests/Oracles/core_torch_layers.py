"""PyTorch oracle for KerasNet layers and losses (forward and gradients), computed in float64.

usage: core_torch_layers.py DIR
DIR/cases.json is a list of cases; case i reads DIR/{i}_x.npy (Keras layout, NHWC), optional {i}_w.npy (Keras
layout: Conv2D (kh, kw, in, out), Dense (in, out)), {i}_b.npy, and {i}_r.npy (the upstream gradient dL/dy, so
L = sum(y * r)). It writes {i}_y.npy, {i}_dx.npy and, when there are weights, {i}_dw.npy / {i}_db.npy.
Loss cases ("loss": name) read {i}_p.npy (predictions, or logits when "from_logits"), {i}_t.npy (targets) and write
{i}_loss.npy (scalar, as shape (1,)) and {i}_dp.npy (gradient of the batch-mean loss).

Layout conversion is done here, independently of KerasNet: NHWC <-> NCHW with permute, kernels to (out, in, kh, kw),
and TensorFlow's 'same' padding (total = max((ceil(n/s) - 1) * s + k - n, 0), the odd pixel at the bottom/right)
emulated with F.pad before an unpadded torch op.
"""
import json
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
# Keras clips in float32: the bounds are float32 1e-7 and float32(1 - 1e-7) = 0.99999988 (so 1 - hi is 1.19e-7).
EPS = float(np.float32(1e-7))
HI = float(np.float32(1) - np.float32(1e-7))


def load(d, i, name):
    return torch.from_numpy(np.load(f"{d}/{i}_{name}.npy").astype(np.float64))


def save(d, i, name, t):
    np.save(f"{d}/{i}_{name}.npy", t.detach().numpy().astype(np.float32))


def tf_same_pads(n, k, s):
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def pad_nchw(x, kh, kw, sh, sw, padding, value=0.0):
    if padding != "same":
        return x
    top, bottom = tf_same_pads(x.shape[2], kh, sh)
    left, right = tf_same_pads(x.shape[3], kw, sw)
    return F.pad(x, (left, right, top, bottom), value=value)


def activate(y, name, channel_dim):
    if name in (None, "linear"):
        return y
    if name == "relu":
        return torch.relu(y)
    if name == "sigmoid":
        return torch.sigmoid(y)
    if name == "tanh":
        return torch.tanh(y)
    if name == "softmax":
        return torch.softmax(y, dim=channel_dim)
    raise ValueError(name)


def layer_forward(c, x, w, b):
    kind = c["kind"]
    if kind == "conv2d":
        kh, kw = c["kernel"]
        sh, sw = c["strides"]
        xn = pad_nchw(x.permute(0, 3, 1, 2), kh, kw, sh, sw, c["padding"])
        y = F.conv2d(xn, w.permute(3, 2, 0, 1), b, stride=(sh, sw))
        return activate(y, c["activation"], 1).permute(0, 2, 3, 1)
    if kind in ("maxpool", "avgpool"):
        kh, kw = c["pool"]
        sh, sw = c["strides"]
        xn = x.permute(0, 3, 1, 2)
        if kind == "maxpool":
            y = F.max_pool2d(pad_nchw(xn, kh, kw, sh, sw, c["padding"], value=-math.inf), (kh, kw), (sh, sw))
        else:
            # TensorFlow averages only the pixels inside the image: sum over the zero-padded window / count of real pixels.
            total = F.avg_pool2d(pad_nchw(xn, kh, kw, sh, sw, c["padding"]), (kh, kw), (sh, sw)) * (kh * kw)
            ones = pad_nchw(torch.ones_like(xn[:, :1]), kh, kw, sh, sw, c["padding"])
            count = F.avg_pool2d(ones, (kh, kw), (sh, sw)) * (kh * kw)
            y = total / count
        return y.permute(0, 2, 3, 1)
    if kind == "flatten":
        # Keras flattens channels_last (h, w, c) order: go to NCHW and back explicitly.
        return x.permute(0, 3, 1, 2).permute(0, 2, 3, 1).reshape(x.shape[0], -1)
    if kind == "dense":
        y = x @ w
        if b is not None:
            y = y + b
        return activate(y, c["activation"], -1)
    if kind == "activation":
        return activate(x, c["activation"], -1)
    raise ValueError(kind)


def loss_forward(c, p, t):
    name = c["loss"]
    if name in ("categorical_crossentropy", "sparse_categorical_crossentropy"):
        if name.startswith("sparse"):
            t = F.one_hot(t.reshape(-1).long(), p.shape[-1]).to(p.dtype)
        if c.get("from_logits"):
            return (-(t * torch.log_softmax(p, dim=-1)).sum(-1)).mean()
        q = torch.clamp(p / p.sum(-1, keepdim=True), EPS, HI)
        return (-(t * torch.log(q)).sum(-1)).mean()
    if name == "binary_crossentropy":
        if c.get("from_logits"):
            return F.binary_cross_entropy_with_logits(p, t, reduction="none").mean(-1).mean()
        q = torch.clamp(p, EPS, HI)
        return (-(t * torch.log(q + EPS) + (1 - t) * torch.log(1 - q + EPS))).mean(-1).mean()
    if name == "mean_squared_error":
        return ((p - t) ** 2).mean(-1).mean()
    raise ValueError(name)


def main():
    d = sys.argv[1]
    with open(f"{d}/cases.json") as f:
        cases = json.load(f)
    for i, c in enumerate(cases):
        if "loss" in c:
            p = load(d, i, "p").requires_grad_(True)
            loss = loss_forward(c, p, load(d, i, "t"))
            loss.backward()
            save(d, i, "loss", loss.reshape(1))
            save(d, i, "dp", p.grad)
            continue
        x = load(d, i, "x").requires_grad_(True)
        w = load(d, i, "w").requires_grad_(True) if c.get("has_w") else None
        b = load(d, i, "b").requires_grad_(True) if c.get("has_b") else None
        y = layer_forward(c, x, w, b)
        (y * load(d, i, "r")).sum().backward()
        save(d, i, "y", y)
        save(d, i, "dx", x.grad)
        if w is not None:
            save(d, i, "dw", w.grad)
        if b is not None:
            save(d, i, "db", b.grad)


if __name__ == "__main__":
    main()
