"""PyTorch oracle for KerasNet's activations and activation layers (forward and gradients), computed in float64.

usage: acts_torch.py DIR
DIR/cases.json is a list of cases; case i reads DIR/{i}_x.npy (the input, batch first) and DIR/{i}_r.npy (the
upstream gradient dL/dy, so L = sum(y * r)), plus {i}_w.npy / {i}_b.npy (Dense kernel (in, out) and bias) or
{i}_alpha.npy (PReLU's alpha, the sample shape with 1 on shared axes). It writes {i}_y.npy and {i}_dx.npy, and
{i}_dw.npy / {i}_db.npy / {i}_dalpha.npy for the weights.

Case kinds (each a dict with "kind"):
  act       {"name"}: one Keras activation by name, on the last axis for softmax / log_softmax
  dense     {"activation"}: act(x @ w + b)
  relu      {"max_value", "negative_slope", "threshold"}: Keras's relu (tf.keras backend.relu's graph)
  leaky     {"alpha"}, elu {"alpha"}, thresholded {"theta"}, prelu {}, softmax {"axes": [...]} (batch axis 0)

Every function is PyTorch's own (F.gelu, F.mish, F.hardswish, F.selu, F.elu, F.softplus, ...) where PyTorch has it;
the tf.keras 2 hard sigmoid (0.2 x + 0.5 clipped) and Keras's general relu are written out from their definitions.
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


def activation(name, x):
    if name in ("linear", None):
        return x
    table = {
        "relu": F.relu,
        "relu6": F.relu6,
        "leaky_relu": lambda t: F.leaky_relu(t, 0.2),
        "sigmoid": torch.sigmoid,
        "tanh": torch.tanh,
        "softmax": lambda t: F.softmax(t, dim=-1),
        "log_softmax": lambda t: F.log_softmax(t, dim=-1),
        "elu": F.elu,
        "selu": F.selu,
        "softplus": F.softplus,
        "softsign": F.softsign,
        "swish": F.silu,
        "silu": F.silu,
        "gelu": lambda t: F.gelu(t),
        "gelu_approximate": lambda t: F.gelu(t, approximate="tanh"),
        "exponential": torch.exp,
        "mish": F.mish,
        "hard_swish": F.hardswish,
        "hard_silu": F.hardswish,
        "hard_sigmoid_keras3": F.hardsigmoid,
        # tf.keras 1.x-2.x: x * 0.2 + 0.5, clipped to [0, 1].
        "hard_sigmoid": lambda t: torch.clamp(t * 0.2 + 0.5, 0.0, 1.0),
    }
    return table[name](x)


def keras_relu(x, max_value, negative_slope, threshold):
    # tf.keras backend.relu: the positive part, the clip, then minus the slope times the negative part.
    if threshold != 0:
        pos = x * (x > threshold).to(x.dtype)
    else:
        pos = F.relu(x)
    if max_value is not None:
        pos = torch.clamp(pos, 0.0, max_value)
    if negative_slope != 0:
        pos = pos - negative_slope * F.relu(threshold - x)
    return pos


def load(d, i, name):
    return torch.from_numpy(np.load(f"{d}/{i}_{name}.npy").astype(np.float64))


def save(d, i, name, t):
    np.save(f"{d}/{i}_{name}.npy", t.detach().numpy().astype(np.float32))


def run(d, i, c):
    x = load(d, i, "x").requires_grad_(True)
    r = load(d, i, "r")
    weights = {}
    kind = c["kind"]
    if kind == "act":
        y = activation(c["name"], x)
    elif kind == "dense":
        w = weights["w"] = load(d, i, "w").requires_grad_(True)
        b = weights["b"] = load(d, i, "b").requires_grad_(True)
        y = activation(c["activation"], x @ w + b)
    elif kind == "relu":
        y = keras_relu(x, c.get("max_value"), c.get("negative_slope", 0.0), c.get("threshold", 0.0))
    elif kind == "leaky":
        y = F.leaky_relu(x, c["alpha"])
    elif kind == "elu":
        y = F.elu(x, c["alpha"])
    elif kind == "thresholded":
        y = F.threshold(x, c["theta"], 0.0)
    elif kind == "prelu":
        a = weights["alpha"] = load(d, i, "alpha").requires_grad_(True)
        y = F.relu(x) - a * F.relu(-x)  # Keras's PReLU.call; alpha broadcasts over the batch and shared axes
    elif kind == "softmax":
        axes = c["axes"]
        y = torch.exp(x - torch.logsumexp(x, dim=axes, keepdim=True))
    else:
        raise ValueError(kind)
    (y * r).sum().backward()
    save(d, i, "y", y)
    save(d, i, "dx", x.grad)
    for name, t in weights.items():
        save(d, i, "d" + name, t.grad)


def main():
    d = sys.argv[1]
    with open(f"{d}/cases.json") as f:
        cases = json.load(f)
    for i, c in enumerate(cases):
        run(d, i, c)


if __name__ == "__main__":
    main()
