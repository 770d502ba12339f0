"""PyTorch oracle for KerasNet's sequence layers and masks, computed in float64.

usage: seq_torch.py DIR
DIR/cases.json is a list of cases; case i reads DIR/{i}_<name>.npy and writes DIR/{i}_<name>.npy:

* "embedding":   ids (float, any shape), w (input_dim, output_dim), r (upstream gradient dL/dy, so L = sum(y * r)).
                 Writes y = F.embedding(ids, w), dw (autograd) and dw_index_add (zeros.index_add_(0, ids, r rows):
                 repeated ids add up).
* "masking":     x, "mask_value". Writes y, mask, dx for L = sum(y * r) (r read too). tf.keras 2.4's Masking:
                 mask = any(x != mask_value, -1); y = x * mask[..., None]; the mask is a constant for the gradient.
* "gap1d":       x, m (0/1, (batch, steps)), r, "channels_first". tf.keras 2.4's masked GlobalAveragePooling1D:
                 sum over steps of x * m / sum over steps of m. Writes y, dx.
* "td_dense":    x (batch, steps, features), kernel, bias, r, "activation" (linear|relu|tanh|softmax).
                 TimeDistributed(Dense) = the Dense on every step. Writes y, dx, dkernel, dbias.
* "td_conv2d":   x (batch, steps, h, w, c) NHWC, kernel (kh, kw, c, filters), bias, r; valid padding, stride 1.
                 Writes y (batch, steps, oh, ow, filters), dx, dkernel, dbias.
* "masked_sgd":  ids (batch, steps), targets (batch, steps, units), emb, kernel, bias, "lr", "momentum", "steps",
                 ids2/targets2 for a second step when "steps" is 2. The model Embedding(mask_zero=True) -> Dense(units)
                 trained with mean squared error as tf.keras 2.4's compile_utils does it: the output mask
                 (ids != 0) is each (sample, timestep) row's weight and loss = sum(mask * row_mse) / rows.
                 SGD as TensorFlow applies it: the Dense weights densely; the embedding table, whose gradient is
                 IndexedSlices, with ResourceSparseApplyKerasMomentum when momentum > 0 (only the looked-up rows and
                 their accumulators change) and a scatter of -lr * g otherwise. Writes loss1 (and loss2), emb, kernel,
                 bias after the steps.
* "masked_gap_sgd": ids, targets (batch, units), emb, kernel, bias, "lr": Embedding(mask_zero) ->
                 GlobalAveragePooling1D -> Dense with tf.keras 2.4's masked mean; plain mean squared error (the
                 pooling ends the mask); one SGD step. Writes y (predictions before the step), loss1, *_after.
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def load(d, i, name):
    return torch.tensor(np.load(f"{d}/{i}_{name}.npy").astype(np.float64))


def save(d, i, name, t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t, dtype=np.float64)
    np.save(f"{d}/{i}_{name}.npy", a.astype(np.float32))


def act(name, z):
    return {"linear": lambda v: v, "relu": torch.relu, "tanh": torch.tanh,
            "softmax": lambda v: torch.softmax(v, -1)}[name](z)


def embedding(d, i, c):
    ids = load(d, i, "ids").long()
    w = load(d, i, "w").requires_grad_(True)
    r = load(d, i, "r")
    y = F.embedding(ids, w)
    (y * r).sum().backward()
    save(d, i, "y", y)
    save(d, i, "dw", w.grad)
    dw = torch.zeros_like(w).index_add_(0, ids.reshape(-1), r.reshape(-1, w.shape[1]))
    save(d, i, "dw_index_add", dw)


def masking(d, i, c):
    x = load(d, i, "x").requires_grad_(True)
    r = load(d, i, "r")
    mask = torch.any(x.detach() != c["mask_value"], dim=-1)
    y = x * mask.unsqueeze(-1).to(x.dtype)
    (y * r).sum().backward()
    save(d, i, "y", y)
    save(d, i, "mask", mask.to(torch.float64))
    save(d, i, "dx", x.grad)


def gap1d(d, i, c):
    x = load(d, i, "x").requires_grad_(True)
    m = load(d, i, "m")
    r = load(d, i, "r")
    if c["channels_first"]:
        y = (x * m.unsqueeze(1)).sum(2) / m.sum(1, keepdim=True)
    else:
        y = (x * m.unsqueeze(2)).sum(1) / m.sum(1, keepdim=True)
    (y * r).sum().backward()
    save(d, i, "y", y)
    save(d, i, "dx", x.grad)


def td_dense(d, i, c):
    x = load(d, i, "x").requires_grad_(True)
    k = load(d, i, "kernel").requires_grad_(True)
    b = load(d, i, "bias").requires_grad_(True)
    r = load(d, i, "r")
    y = act(c["activation"], x @ k + b)
    (y * r).sum().backward()
    for name, t in (("y", y), ("dx", x.grad), ("dkernel", k.grad), ("dbias", b.grad)):
        save(d, i, name, t)


def td_conv2d(d, i, c):
    x = load(d, i, "x").requires_grad_(True)
    k = load(d, i, "kernel").requires_grad_(True)
    b = load(d, i, "bias").requires_grad_(True)
    r = load(d, i, "r")
    bs, steps = x.shape[0], x.shape[1]
    folded = x.reshape(bs * steps, *x.shape[2:]).permute(0, 3, 1, 2)  # NHWC -> NCHW
    y = F.conv2d(folded, k.permute(3, 2, 0, 1), b).permute(0, 2, 3, 1)
    y = y.reshape(bs, steps, *y.shape[1:])
    (y * r).sum().backward()
    for name, t in (("y", y), ("dx", x.grad), ("dkernel", k.grad), ("dbias", b.grad)):
        save(d, i, name, t)


def masked_sgd(d, i, c):
    emb = load(d, i, "emb")
    kernel = load(d, i, "kernel")
    bias = load(d, i, "bias")
    lr, mu = c["lr"], c["momentum"]
    acc_e, acc_k, acc_b = torch.zeros_like(emb), torch.zeros_like(kernel), torch.zeros_like(bias)
    for step in range(c["steps"]):
        suffix = "" if step == 0 else "2"
        ids = load(d, i, "ids" + suffix).long()
        t = load(d, i, "targets" + suffix)
        e = emb.clone().requires_grad_(True)
        k = kernel.clone().requires_grad_(True)
        b = bias.clone().requires_grad_(True)
        y = F.embedding(ids, e) @ k + b
        row = ((y - t) ** 2).mean(-1)
        mask = (ids != 0).to(row.dtype)
        loss = (row * mask).sum() / row.numel()
        loss.backward()
        save(d, i, f"loss{step + 1}", loss.reshape(1))
        with torch.no_grad():
            rows = torch.unique(ids.reshape(-1))
            if mu > 0:
                acc_k = mu * acc_k - lr * k.grad
                acc_b = mu * acc_b - lr * b.grad
                kernel = kernel + acc_k
                bias = bias + acc_b
                acc_e[rows] = mu * acc_e[rows] - lr * e.grad[rows]
                emb = emb.clone()
                emb[rows] = emb[rows] + acc_e[rows]
            else:
                kernel = kernel - lr * k.grad
                bias = bias - lr * b.grad
                emb = emb - lr * e.grad
    save(d, i, "emb_after", emb)
    save(d, i, "kernel_after", kernel)
    save(d, i, "bias_after", bias)


def masked_gap_sgd(d, i, c):
    """Embedding(mask_zero) -> GlobalAveragePooling1D (masked mean over the unmasked steps; no mask after it) -> Dense,
    mean squared error over (batch, units), one plain SGD step."""
    ids = load(d, i, "ids").long()
    t = load(d, i, "targets")
    e = load(d, i, "emb").requires_grad_(True)
    k = load(d, i, "kernel").requires_grad_(True)
    b = load(d, i, "bias").requires_grad_(True)
    m = (ids != 0).to(torch.float64)
    pooled = (F.embedding(ids, e) * m.unsqueeze(2)).sum(1) / m.sum(1, keepdim=True)
    y = pooled @ k + b
    loss = ((y - t) ** 2).mean()
    loss.backward()
    save(d, i, "y", y)
    save(d, i, "loss1", loss.reshape(1))
    with torch.no_grad():
        for name, w in (("emb", e), ("kernel", k), ("bias", b)):
            save(d, i, name + "_after", w - c["lr"] * w.grad)


KINDS = {"embedding": embedding, "masking": masking, "gap1d": gap1d, "td_dense": td_dense, "td_conv2d": td_conv2d,
         "masked_sgd": masked_sgd, "masked_gap_sgd": masked_gap_sgd}


def main():
    d = sys.argv[1]
    with open(f"{d}/cases.json") as f:
        cases = json.load(f)
    for i, c in enumerate(cases):
        KINDS[c["kind"]](d, i, c)


if __name__ == "__main__":
    main()
