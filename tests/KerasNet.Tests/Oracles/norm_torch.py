"""PyTorch + numpy oracle for KerasNet's normalization layers (forward, gradients, moving statistics), float64.

usage: norm_torch.py DIR
DIR/cases.json is a list of cases {"layer": "bn" | "ln" | "unit", "axes": [Keras axes, batch = 0, resolved, in the
order given], "eps", "momentum" (bn), "training" (bn), "center", "scale"}. Case i reads DIR/{i}_x.npy (batch first),
DIR/{i}_r.npy (the upstream gradient dL/dy, so L = sum(y * r)) and, where the layer has them, {i}_gamma.npy,
{i}_beta.npy, {i}_mm.npy, {i}_mv.npy in Keras's weight shapes. It writes {i}_y.npy, {i}_dx.npy, {i}_dgamma.npy,
{i}_dbeta.npy and, for a BatchNormalization training call, the moving statistics after it:
  {i}_mm_after.npy      moving_mean - (moving_mean - batch_mean) * (1 - momentum)
  {i}_mv_biased.npy     the same for the variance with the biased batch variance (Keras 3, tfjs, tf.keras non-fused)
  {i}_mv_unbiased.npy   ... with n / max(n - 1, 1) * the biased variance (tf.keras 2.x's fused kernel on 4-D inputs)
  {i}_torch_rm.npy, {i}_torch_rv.npy   torch's F.batch_norm running statistics (momentum = 1 - keras momentum;
                        torch always uses the unbiased variance), single-axis cases only
The Keras semantics are written here from Keras's source, independently of KerasNet:
* BatchNormalization (tf.keras 2.4 normalization.py, Keras 3 batch_normalization.py): statistics over every axis but
  `axes` (training) or the moving ones (inference); y = (x - mean) / sqrt(var + eps) * gamma + beta; the parameters
  broadcast by reshape to the input's rank with 1 on the other axes.
* LayerNormalization: tf.nn.moments over `axes` of each sample, the same formula; gamma/beta of shape
  [shape[a] for a in axes] broadcast by reshape (so their values are in the sorted axes' row-major order).
* UnitNormalization: x * rsqrt(max(sum(x^2 over axes), 1e-12)); torch.clamp passes no gradient below the floor, as
  tf.maximum passes none to its smaller side.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def load(d, i, name):
    p = os.path.join(d, f"{i}_{name}.npy")
    return torch.tensor(np.load(p).astype(np.float64), requires_grad=True) if os.path.exists(p) else None


def bshape(x, axes):
    return [x.shape[d] if d in axes else 1 for d in range(x.dim())]


def affine(xhat, gamma, beta, shape):
    y = xhat
    if gamma is not None:
        y = y * gamma.reshape(shape)
    if beta is not None:
        y = y + beta.reshape(shape)
    return y


def run(c, d, i):
    x, r = load(d, i, "x"), load(d, i, "r").detach()
    gamma, beta = load(d, i, "gamma"), load(d, i, "beta")
    axes, eps, kind = c["axes"], c["eps"], c["layer"]
    shape = bshape(x, axes)
    out = {}
    if kind == "bn":
        red = [a for a in range(x.dim()) if a not in axes]
        mm, mv = load(d, i, "mm").detach(), load(d, i, "mv").detach()
        if c["training"]:
            mean = x.mean(red, keepdim=True)
            var = ((x - mean) ** 2).mean(red, keepdim=True)
        else:
            mean, var = mm.reshape(shape), mv.reshape(shape)
        y = affine((x - mean) / torch.sqrt(var + eps), gamma, beta, shape)
        if c["training"]:
            xn = x.detach().numpy()
            n = int(np.prod([x.shape[a] for a in red]))
            bm, bv = xn.mean(axis=tuple(red)), xn.var(axis=tuple(red))
            ub = bv * n / max(n - 1, 1)
            decay = 1.0 - c["momentum"]
            m0, v0 = mm.numpy().reshape(bm.shape), mv.numpy().reshape(bv.shape)
            out["mm_after"] = (m0 - (m0 - bm) * decay).reshape(mm.shape)
            out["mv_biased"] = (v0 - (v0 - bv) * decay).reshape(mv.shape)
            out["mv_unbiased"] = (v0 - (v0 - ub) * decay).reshape(mv.shape)
            if len(axes) == 1:
                a = axes[0]
                rm, rv = mm.clone().reshape(-1), mv.clone().reshape(-1)
                yt = F.batch_norm(x.detach().movedim(a, 1), rm, rv, None if gamma is None else gamma.detach().reshape(-1),
                                  None if beta is None else beta.detach().reshape(-1), training=True,
                                  momentum=1.0 - c["momentum"], eps=eps).movedim(1, a)
                if not torch.allclose(yt, y.detach(), rtol=1e-9, atol=1e-9):
                    raise SystemExit(f"case {i}: F.batch_norm disagrees with the explicit formula")
                out["torch_rm"], out["torch_rv"] = rm.numpy().reshape(mm.shape), rv.numpy().reshape(mv.shape)
    elif kind == "ln":
        s = sorted(axes)
        mean = x.mean(s, keepdim=True)
        var = ((x - mean) ** 2).mean(s, keepdim=True)
        y = affine((x - mean) / torch.sqrt(var + eps), gamma, beta, shape)
        if s == list(range(x.dim() - len(s), x.dim())) and s == axes:
            ref = F.layer_norm(x.detach(), x.shape[-len(s):], None if gamma is None else gamma.detach(),
                               None if beta is None else beta.detach(), eps)
            if not torch.allclose(ref, y.detach(), rtol=1e-9, atol=1e-9):
                raise SystemExit(f"case {i}: F.layer_norm disagrees with the explicit formula")
    elif kind == "unit":
        ss = (x * x).sum(axes, keepdim=True)
        y = x * torch.rsqrt(torch.clamp(ss, min=1e-12))
    else:
        raise SystemExit(f"unknown layer {kind}")
    (y * r).sum().backward()
    out["y"], out["dx"] = y.detach().numpy(), x.grad.numpy()
    if gamma is not None:
        out["dgamma"] = gamma.grad.numpy()
    if beta is not None:
        out["dbeta"] = beta.grad.numpy()
    for k, v in out.items():
        np.save(os.path.join(d, f"{i}_{k}.npy"), np.asarray(v, dtype=np.float32))


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "cases.json")) as f:
        cases = json.load(f)
    for i, c in enumerate(cases):
        run(c, d, i)


if __name__ == "__main__":
    main()
