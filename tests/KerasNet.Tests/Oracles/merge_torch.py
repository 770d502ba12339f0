"""PyTorch oracle for KerasNet's merge layers (forward and input gradients), computed in float64.

usage: merge_torch.py DIR
DIR/cases.json is a list of cases {"layer": add|subtract|multiply|average|maximum|minimum|concatenate|dot, "n": number
of inputs, "axis": (concatenate), "axes": [a0, a1], "normalize": (dot)}. Case i reads DIR/{i}_x{j}.npy (batch first)
and DIR/{i}_r.npy (the upstream gradient dL/dy, so L = sum(y * r)); it writes {i}_y.npy and {i}_dx{j}.npy.

The Keras semantics are written here from Keras's source, independently of KerasNet:
* element-wise merges (tf.keras 2.4 _Merge.call): inputs of lower rank are expanded at axis 1 until all ranks match,
  then numpy broadcasting; the inputs are folded left to right.
* Maximum/Minimum: tf.maximum(x, y)'s gradient goes to x where x >= y (tf.minimum: x <= y), never split (torch's own
  maximum splits ties in half), so the fold is written with torch.where(x >= y, x, y), whose gradient routes the same way.
* Concatenate: torch.cat along Keras's axis (batch included, may be negative).
* Dot: Keras's batch_dot: x's axis moved last, y's axis moved to 1, a batched matmul, the result shaped x's remaining
  dims + y's remaining dims ((batch, 1) when none remain); normalize is tf.nn.l2_normalize,
  x / sqrt(max(sum(x^2), 1e-12)).
"""
import json
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def expand_ranks(xs):
    r = max(x.dim() for x in xs)
    out = []
    for x in xs:
        while x.dim() < r:
            x = x.unsqueeze(1)
        out.append(x)
    return out


def l2_normalize(x, axis):
    return x / torch.sqrt(torch.clamp(torch.sum(x * x, dim=axis, keepdim=True), min=1e-12))


def batch_dot(x, y, a0, a1):
    xm = torch.movedim(x, a0, -1)
    ym = torch.movedim(y, a1, 1)
    b, k = x.shape[0], x.shape[a0]
    x_rest = list(xm.shape[1:-1])
    y_rest = list(ym.shape[2:])
    out = torch.bmm(xm.reshape(b, -1, k), ym.reshape(b, k, -1))
    shape = [b] + x_rest + y_rest
    if len(shape) == 1:
        shape.append(1)
    return out.reshape(shape)


def forward(c, xs):
    kind = c["layer"]
    if kind == "concatenate":
        return torch.cat(xs, dim=c["axis"])
    if kind == "dot":
        x, y = xs
        a0, a1 = c["axes"]
        a0 = a0 % x.dim() if a0 < 0 else a0
        a1 = a1 % y.dim() if a1 < 0 else a1
        if c.get("normalize"):
            x, y = l2_normalize(x, a0), l2_normalize(y, a1)
        return batch_dot(x, y, a0, a1)
    xs = expand_ranks(xs)
    out = xs[0]
    for x in xs[1:]:
        if kind in ("add", "average"):
            out = out + x
        elif kind == "subtract":
            out = out - x
        elif kind == "multiply":
            out = out * x
        elif kind == "maximum":
            out = torch.where(out >= x, out, x)
        elif kind == "minimum":
            out = torch.where(out <= x, out, x)
        else:
            raise ValueError(kind)
    if kind == "average":
        out = out / len(xs)
    return out


def main():
    d = sys.argv[1]
    with open(f"{d}/cases.json") as f:
        cases = json.load(f)
    for i, c in enumerate(cases):
        xs = [torch.from_numpy(np.load(f"{d}/{i}_x{j}.npy").astype(np.float64)).requires_grad_(True) for j in range(c["n"])]
        y = forward(c, xs)
        r = torch.from_numpy(np.load(f"{d}/{i}_r.npy").astype(np.float64))
        (y * r).sum().backward()
        np.save(f"{d}/{i}_y.npy", y.detach().numpy().astype(np.float32))
        for j, x in enumerate(xs):
            np.save(f"{d}/{i}_dx{j}.npy", x.grad.numpy().astype(np.float32))


if __name__ == "__main__":
    main()
