"""PyTorch oracle for KerasNet's reshaping layers (forward and input gradients), computed in float64.

usage: reshape_torch.py DIR
DIR/cases.json is a list of cases; case i reads DIR/{i}_x.npy (Keras layout, batch first) and DIR/{i}_r.npy (the
upstream gradient dL/dy, so L = sum(y * r)) and writes {i}_y.npy and {i}_dx.npy. Case kinds and the Keras semantics
they stand for (written from Keras's and TensorFlow's source, independently of KerasNet):
* reshape {"target": [...]}: array_ops.reshape(x, (batch,) + target_shape), one -1 inferred.
* permute {"dims": [...]}: transpose with perm (0,) + dims (dims count from 1).
* repeat_vector {"n"}: K.repeat, (batch, f) to (batch, n, f).
* flatten {"data_format"}: channels_first moves axis 1 last first (Keras 2's Flatten), then row-major reshape.
* zero_padding1d / cropping1d {"begin", "end"}: pad or slice the steps axis (axis 1).
* zero_padding2d / cropping2d {"top", "bottom", "left", "right", "data_format"}: the two spatial axes.
* up_sampling1d {"size"}: backend.repeat_elements along axis 1.
* up_sampling2d {"size": [h, w], "interpolation", "data_format"}: nearest repeats rows and columns; bilinear is
  tf.image.resize (TF2: half_pixel_centers=True, antialias off for upsampling), which is torch's
  F.interpolate(mode="bilinear", align_corners=False) with an explicit output size: both sample the input at
  (i + 0.5) * in / out - 0.5, clamped to the image.
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def load(d, i, name):
    return torch.from_numpy(np.load(f"{d}/{i}_{name}.npy").astype(np.float64))


def save(d, i, name, t):
    np.save(f"{d}/{i}_{name}.npy", t.detach().numpy().astype(np.float32))


def to_nchw(x, c):
    return x.permute(0, 3, 1, 2) if c["data_format"] == "channels_last" else x


def from_nchw(y, c):
    return y.permute(0, 2, 3, 1) if c["data_format"] == "channels_last" else y


def forward(c, x):
    kind = c["kind"]
    n = x.shape[0]
    if kind == "reshape":
        return x.reshape([n] + c["target"])
    if kind == "permute":
        return x.permute([0] + c["dims"])
    if kind == "repeat_vector":
        return x.unsqueeze(1).repeat(1, c["n"], 1)
    if kind == "flatten":
        if c["data_format"] == "channels_first" and x.dim() > 2:
            x = x.permute([0] + list(range(2, x.dim())) + [1])
        return x.reshape(n, -1)
    if kind == "zero_padding1d":
        return F.pad(x, (0, 0, c["begin"], c["end"]))
    if kind == "cropping1d":
        return x[:, c["begin"]:x.shape[1] - c["end"], :]
    if kind == "zero_padding2d":
        return from_nchw(F.pad(to_nchw(x, c), (c["left"], c["right"], c["top"], c["bottom"])), c)
    if kind == "cropping2d":
        xc = to_nchw(x, c)
        h, w = xc.shape[2], xc.shape[3]
        return from_nchw(xc[:, :, c["top"]:h - c["bottom"], c["left"]:w - c["right"]], c)
    if kind == "up_sampling1d":
        return torch.repeat_interleave(x, c["size"], dim=1)
    if kind == "up_sampling2d":
        xc = to_nchw(x, c)
        fh, fw = c["size"]
        if c["interpolation"] == "nearest":
            y = torch.repeat_interleave(torch.repeat_interleave(xc, fh, dim=2), fw, dim=3)
        else:
            y = F.interpolate(xc, size=(xc.shape[2] * fh, xc.shape[3] * fw), mode="bilinear", align_corners=False)
        return from_nchw(y, c)
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
