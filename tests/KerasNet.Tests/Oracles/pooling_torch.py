"""PyTorch oracle for KerasNet's pooling layers (forward and input gradients), computed in float64.

usage: pooling_torch.py DIR
DIR/cases.json is a list of cases; case i reads DIR/{i}_x.npy (Keras layout, batch first) and DIR/{i}_r.npy (the
upstream gradient dL/dy, so L = sum(y * r)) and writes {i}_y.npy and {i}_dx.npy. Case kinds:
* {"kind": "pool1d", "op": "max"|"avg", "pool": p, "stride": s, "padding": "valid"|"same", "data_format": ...}
* {"kind": "pool2d", "op": "max"|"avg", "pool": [ph, pw], "strides": [sh, sw], "padding": ...} (channels_last)
* {"kind": "global", "op": "max"|"avg", "rank": 1|2, "data_format": ..., "keepdims": bool}

The Keras semantics are written here from Keras's and TensorFlow's source, independently of KerasNet:
* Keras's Pooling1D is tf.nn pooling of a (steps, 1) image; torch pools (N, C, L) directly.
* TensorFlow's 'same': out = ceil(n / s), total pad = max((out - 1) * s + k - n, 0), the odd pixel after (bottom/right).
  Max pooling pads with -inf (padding never wins); average pooling averages only the real pixels: the sum over the
  zero-padded window divided by the count of real pixels (a padded ones tensor pooled the same way).
* torch's max pooling gives the gradient of a tied window to its first maximum, as TensorFlow's MaxPoolGrad does.
* Global pooling is tf.reduce_mean / tf.reduce_max over the spatial axes (channels_last: 1..rank, channels_first:
  2..rank+1). torch.amax's gradient splits ties evenly, as TensorFlow's reduce_max gradient does.
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


def tf_same_pads(n, k, s):
    out = math.ceil(n / s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def pool(xc, op, pools, strides, padding):
    """xc is (N, C, *spatial); pools/strides per spatial axis; TensorFlow padding."""
    dims = len(pools)
    pads = []
    for ax in reversed(range(dims)):  # F.pad lists the last axis first
        before, after = tf_same_pads(xc.shape[2 + ax], pools[ax], strides[ax]) if padding == "same" else (0, 0)
        pads += [before, after]
    pool_fn = {1: (F.max_pool1d, F.avg_pool1d), 2: (F.max_pool2d, F.avg_pool2d)}[dims]
    if op == "max":
        return pool_fn[0](F.pad(xc, pads, value=-math.inf), pools, strides)
    window = math.prod(pools)
    total = pool_fn[1](F.pad(xc, pads), pools, strides) * window
    count = pool_fn[1](F.pad(torch.ones_like(xc[:, :1]), pads), pools, strides) * window
    return total / count


def forward(c, x):
    kind = c["kind"]
    if kind == "pool1d":
        last = c["data_format"] == "channels_last"
        xc = x.permute(0, 2, 1) if last else x
        y = pool(xc, c["op"], [c["pool"]], [c["stride"]], c["padding"])
        return y.permute(0, 2, 1) if last else y
    if kind == "pool2d":
        y = pool(x.permute(0, 3, 1, 2), c["op"], c["pool"], c["strides"], c["padding"])
        return y.permute(0, 2, 3, 1)
    if kind == "global":
        rank = c["rank"]
        axes = tuple(range(1, rank + 1)) if c["data_format"] == "channels_last" else tuple(range(2, rank + 2))
        if c["op"] == "max":
            return torch.amax(x, dim=axes, keepdim=c["keepdims"])
        return torch.mean(x, dim=axes, keepdim=c["keepdims"])
    raise ValueError(kind)


def main():
    d = sys.argv[1]
    with open(f"{d}/cases.json") as f:
        cases = json.load(f)
    for i, c in enumerate(cases):
        x = load(d, i, "x").requires_grad_(True)
        y = forward(c, x)
        (y * load(d, i, "r")).sum().backward()
        save(d, i, "y", y)
        save(d, i, "dx", x.grad)


if __name__ == "__main__":
    main()
