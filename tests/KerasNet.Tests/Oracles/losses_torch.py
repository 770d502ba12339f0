"""PyTorch oracle for KerasNet's losses, written from tf.keras 2.4's losses.py / losses_utils formulas, in float64
with torch.autograd for the gradients.

usage: losses_torch.py DIR
DIR/cases.json: a list of cases.
  Loss case: {"loss": Keras class name, "config": {...Keras arguments...}, "weights": bool}
    reads {i}_p.npy (y_pred; logits when from_logits), {i}_t.npy (y_true), {i}_w.npy (sample weights, if "weights")
    writes {i}_loss.npy (the reduced loss as shape (1,), or the weighted per-sample losses for reduction "none")
    and {i}_dp.npy (gradient of the reduced loss, of their sum for "none", with respect to y_pred).
  Fit case: {"fit": Keras class name, "config": {...}, "activation": "linear"|"softmax"|"sigmoid", "lr", "batch_size",
    "epochs"}: one Dense layer (kernel {i}_k.npy (in, units), bias {i}_b.npy) on {i}_x.npy (N, features) or
    (N, T, features), targets {i}_t.npy, sample weights {i}_w.npy (N,) or (N, T); plain SGD over the batches in order
    (no shuffling), the batch loss being sum(w * per-sample loss) / (number of per-sample losses) as Keras's
    sum_over_batch_size. Writes {i}_initial.npy (the loss of all samples as one batch at the initial weights),
    {i}_k_after.npy, {i}_b_after.npy and {i}_losses.npy (each epoch's mean batch loss
    weighted by batch size, as Keras's loss metric).
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
EPS = 1e-7


def maybe_convert_labels(y):
    return 2.0 * y - 1.0 if bool(((y == 0) | (y == 1)).all()) else y


def l2_normalize(x):
    return x / torch.sqrt(torch.clamp((x * x).sum(-1, keepdim=True), min=1e-12))


def per_sample(name, cfg, y, p):
    """Keras's per-sample loss (every axis but the last) of y_pred p against y_true y."""
    if name == "MeanSquaredError":
        return ((p - y) ** 2).mean(-1)
    if name == "MeanAbsoluteError":
        return (p - y).abs().mean(-1)
    if name == "MeanAbsolutePercentageError":
        return 100.0 * ((y - p).abs() / torch.clamp(y.abs(), min=EPS)).mean(-1)
    if name == "MeanSquaredLogarithmicError":
        return ((torch.log(torch.clamp(p, min=EPS) + 1) - torch.log(torch.clamp(y, min=EPS) + 1)) ** 2).mean(-1)
    if name == "Huber":
        d = float(np.float32(cfg.get("delta", 1.0)))
        e = p - y
        a = e.abs()
        return torch.where(a <= d, 0.5 * e * e, 0.5 * d * d + d * (a - d)).mean(-1)
    if name == "LogCosh":
        x = p - y
        return (x + F.softplus(-2.0 * x) - math.log(2.0)).mean(-1)
    if name == "Hinge":
        return torch.clamp(1.0 - maybe_convert_labels(y) * p, min=0).mean(-1)
    if name == "SquaredHinge":
        return (torch.clamp(1.0 - maybe_convert_labels(y) * p, min=0) ** 2).mean(-1)
    if name == "CategoricalHinge":
        pos = (y * p).sum(-1)
        neg = ((1.0 - y) * p).amax(-1)
        return torch.clamp(neg - pos + 1.0, min=0)
    if name == "KLDivergence":
        yc = torch.clamp(y, EPS, 1.0)
        pc = torch.clamp(p, EPS, 1.0)
        return (yc * torch.log(yc / pc)).sum(-1)
    if name == "Poisson":
        return (p - y * torch.log(p + EPS)).mean(-1)
    if name == "CosineSimilarity":
        return -(l2_normalize(y) * l2_normalize(p)).sum(-1)
    logits = bool(cfg.get("from_logits", False))
    ls = float(cfg.get("label_smoothing", 0.0))
    if name == "BinaryCrossentropy":
        if p.dim() == y.dim() + 1:
            y = y.unsqueeze(-1)
        y = y * (1.0 - ls) + 0.5 * ls
        if logits:
            return F.binary_cross_entropy_with_logits(p, y, reduction="none").mean(-1)
        pc = torch.clamp(p, EPS, 1.0 - EPS)
        return -(y * torch.log(pc + EPS) + (1.0 - y) * torch.log(1.0 - pc + EPS)).mean(-1)
    if name == "SparseCategoricalCrossentropy":
        y = F.one_hot(y.reshape(p.shape[:-1]).long(), p.shape[-1]).to(p.dtype)
        name = "CategoricalCrossentropy"
    if name == "CategoricalCrossentropy":
        y = y * (1.0 - ls) + ls / p.shape[-1]
        if logits:
            return -(y * F.log_softmax(p, dim=-1)).sum(-1)
        q = torch.clamp(p / p.sum(-1, keepdim=True), EPS, 1.0 - EPS)
        return -(y * torch.log(q)).sum(-1)
    raise ValueError("unknown loss " + name)


def reduce(losses, w, reduction):
    """losses_utils.compute_weighted_loss: broadcast the weights, multiply, reduce."""
    if w is not None:
        while w.dim() < losses.dim():
            w = w.unsqueeze(-1)
        if w.dim() > losses.dim():
            w = w.reshape(losses.shape)
        losses = losses * w
    if reduction == "none":
        return losses
    total = losses.sum()
    return total if reduction == "sum" else total / losses.numel()


def load(d, i, what):
    return torch.from_numpy(np.load(os.path.join(d, f"{i}_{what}.npy")).astype(np.float64))


def save(d, i, what, t):
    np.save(os.path.join(d, f"{i}_{what}.npy"), t.detach().numpy().astype(np.float32))


def loss_case(d, i, c):
    p = load(d, i, "p").requires_grad_(True)
    y = load(d, i, "t")
    w = load(d, i, "w") if c.get("weights") else None
    cfg = c.get("config", {})
    red = cfg.get("reduction", "sum_over_batch_size")
    value = reduce(per_sample(c["loss"], cfg, y, p), w, red)
    value.sum().backward()
    save(d, i, "loss", value.reshape(-1))
    save(d, i, "dp", p.grad)


def fit_case(d, i, c):
    k = load(d, i, "k").requires_grad_(True)
    b = load(d, i, "b").requires_grad_(True)
    x, y, w = load(d, i, "x"), load(d, i, "t"), load(d, i, "w")
    cfg = c.get("config", {})
    act = c.get("activation", "linear")
    n, bs, lr = x.shape[0], int(c["batch_size"]), float(np.float32(c["lr"]))
    red = cfg.get("reduction", "sum_over_batch_size")

    def forward(xb):
        z = xb @ k + b
        return torch.softmax(z, -1) if act == "softmax" else torch.sigmoid(z) if act == "sigmoid" else z

    with torch.no_grad():
        np.save(os.path.join(d, f"{i}_initial.npy"), np.array([float(reduce(per_sample(c["fit"], cfg, y, forward(x)), w, red))]))
    epoch_losses = []
    for _ in range(int(c["epochs"])):
        total, seen = 0.0, 0
        for s in range(0, n, bs):
            xb, yb, wb = x[s:s + bs], y[s:s + bs], w[s:s + bs]
            loss = reduce(per_sample(c["fit"], cfg, yb, forward(xb)), wb, red)
            k.grad = None
            b.grad = None
            loss.backward()
            with torch.no_grad():
                k -= lr * k.grad
                b -= lr * b.grad
            total += float(loss) * xb.shape[0]
            seen += xb.shape[0]
        epoch_losses.append(total / seen)
    save(d, i, "k_after", k)
    save(d, i, "b_after", b)
    np.save(os.path.join(d, f"{i}_losses.npy"), np.array(epoch_losses, dtype=np.float64))


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "cases.json")) as f:
        cases = json.load(f)
    for i, c in enumerate(cases):
        (fit_case if "fit" in c else loss_case)(d, i, c)


if __name__ == "__main__":
    main()
