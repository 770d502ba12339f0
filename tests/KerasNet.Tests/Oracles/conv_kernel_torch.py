"""PyTorch oracle for KerasNet's inference convolution and pooling kernels, computed in float64.

usage: conv_kernel_torch.py DIR
DIR/cases.json is a list of cases {"op": conv | maxpool | avgpool, "kernel": [kh, kw], "strides": [sh, sw],
"dilation": [dh, dw], "padding": valid | same, "bias": bool, "relu": bool}. Case i reads DIR/{i}_x.npy (N, H, W, C),
for conv {i}_w.npy (kh, kw, C, F) and {i}_b.npy (F,) when "bias", and writes {i}_y.npy (N, OH, OW, F or C).

Keras's semantics, written from TensorFlow's documentation independently of KerasNet: NHWC data is permuted to
torch's NCHW, the kernel (kh, kw, C, F) to (F, C, kh, kw); 'same' pads total = max((ceil(n / s) - 1) * s + (k - 1) * d
+ 1 - n, 0) with total // 2 before and the rest (the odd pixel) after, then an unpadded torch op. Padding never
counts in a pool: max pools pad with -inf, average pools divide the window's sum by its count of real pixels.
"""
import json
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def pads(n, k, s, d, padding):
    if padding == "valid":
        return 0, 0
    total = max((math.ceil(n / s) - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def main():
    d = sys.argv[1]
    with open(f"{d}/cases.json") as f:
        cases = json.load(f)
    for i, c in enumerate(cases):
        x = torch.from_numpy(np.load(f"{d}/{i}_x.npy").astype(np.float64)).permute(0, 3, 1, 2)
        (kh, kw), (sh, sw), (dh, dw) = c["kernel"], c["strides"], c["dilation"]
        top, bottom = pads(x.shape[2], kh, sh, dh, c["padding"])
        left, right = pads(x.shape[3], kw, sw, dw, c["padding"])
        if c["op"] == "conv":
            w = torch.from_numpy(np.load(f"{d}/{i}_w.npy").astype(np.float64)).permute(3, 2, 0, 1)
            b = torch.from_numpy(np.load(f"{d}/{i}_b.npy").astype(np.float64)) if c["bias"] else None
            y = F.conv2d(F.pad(x, (left, right, top, bottom)), w, b, stride=(sh, sw), dilation=(dh, dw))
            if c["relu"]:
                y = torch.relu(y)
        elif c["op"] == "maxpool":
            y = F.max_pool2d(F.pad(x, (left, right, top, bottom), value=float("-inf")), (kh, kw), (sh, sw))
        else:
            padded = (left, right, top, bottom)
            count = F.avg_pool2d(F.pad(torch.ones_like(x[:1, :1]), padded), (kh, kw), (sh, sw)) * (kh * kw)
            y = F.avg_pool2d(F.pad(x, padded), (kh, kw), (sh, sw)) * (kh * kw) / count
        np.save(f"{d}/{i}_y.npy", y.permute(0, 2, 3, 1).numpy().astype(np.float32))


if __name__ == "__main__":
    main()
