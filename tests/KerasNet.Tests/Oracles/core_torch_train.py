"""End-to-end training oracle: a Sequential model trained batch by batch (no shuffling) in float64 PyTorch with
tf.keras 2.4's arithmetic: softmax cross-entropy from the logits (as fit does), the batch-mean loss, and the
optimizer update rules written out here (Adam as TensorFlow's ApplyAdam, SGD with momentum as
ResourceApplyKerasMomentum).

usage: core_torch_train.py DIR
DIR/spec.json: {"layers": [layer specs as in core_torch_layers.py], "optimizer": {...}, "batch_size": B}
DIR/x.npy, DIR/y.npy (one-hot), DIR/w{i}.npy: initial weights in Keras order and layouts.
Writes DIR/loss.npy (sample-weighted mean of the batch losses, as the epoch's "loss") and DIR/out{i}.npy.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core_torch_layers import layer_forward  # noqa: E402

torch.set_default_dtype(torch.float64)


def main():
    d = sys.argv[1]
    spec = json.load(open(f"{d}/spec.json"))
    x = torch.from_numpy(np.load(f"{d}/x.npy").astype(np.float64))
    y = torch.from_numpy(np.load(f"{d}/y.npy").astype(np.float64))
    n_w = sum(1 for f in os.listdir(d) if f.startswith("w") and f.endswith(".npy"))
    weights = [torch.from_numpy(np.load(f"{d}/w{i}.npy").astype(np.float64)).requires_grad_(True) for i in range(n_w)]
    opt = spec["optimizer"]
    slots = [[torch.zeros_like(w), torch.zeros_like(w)] for w in weights]
    B = spec["batch_size"]
    total, count = 0.0, 0
    for t, start in enumerate(range(0, x.shape[0], B), start=1):
        xb, yb = x[start:start + B], y[start:start + B]
        h, k = xb, 0
        layers = spec["layers"]
        for li, c in enumerate(layers):
            w = b = None
            if c.get("has_w"):
                w = weights[k]
                k += 1
            if c.get("has_b"):
                b = weights[k]
                k += 1
            last = li == len(layers) - 1
            if last:
                # fit takes the softmax's input logits (softmax_cross_entropy_with_logits).
                c = dict(c, activation="linear")
            h = layer_forward(c, h, w, b)
        loss = (-(yb * torch.log_softmax(h, dim=-1)).sum(-1)).mean()
        for w in weights:
            w.grad = None
        loss.backward()
        total += loss.item() * xb.shape[0]
        count += xb.shape[0]
        with torch.no_grad():
            for w, (m, v) in zip(weights, slots):
                g = w.grad
                if opt["name"] == "adam":
                    lr, b1, b2, eps = opt["lr"], 0.9, 0.999, 1e-7
                    lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                    m += (g - m) * (1 - b1)
                    v += (g * g - v) * (1 - b2)
                    w -= lr_t * m / (torch.sqrt(v) + eps)
                else:
                    m.mul_(opt["momentum"]).sub_(opt["lr"] * g)
                    w += m
    np.save(f"{d}/loss.npy", np.array([total / count], dtype=np.float64))
    for i, w in enumerate(weights):
        np.save(f"{d}/out{i}.npy", w.detach().numpy().astype(np.float32))


if __name__ == "__main__":
    main()
