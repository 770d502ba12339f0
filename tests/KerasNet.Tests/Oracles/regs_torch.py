"""PyTorch/NumPy oracle for KerasNet's regularizers and constraints in training, computed in float64.

usage: regs_torch.py PAYLOAD.json   (prints one JSON object)
PAYLOAD:
  "cases": [{"layers": [...], "weights": [{"shape", "values"}...] (Keras model.weights order: each layer's kernel
             then bias), "x": {"shape", "values"} (NHWC / batch first), "y": {...}, "loss": "mse" |
             "categorical_crossentropy", "optimizer": {"name": "sgd" | "adam", "lr": ...}, "batch_size": optional,
             consecutive batches, one optimizer step each (default: one step on everything)}]
     layer: {"kind": "dense", "units", "activation", "use_bias", "trainable", "kernel_regularizer",
             "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"}
            {"kind": "conv2d", "filters", "kernel": [kh, kw], ...same fields} (valid padding, stride 1)
            {"kind": "flatten"} | {"kind": "activity_regularization", "l1", "l2"}
     regularizer: null | {"l1": a, "l2": b} | {"orthogonal": factor, "mode": "rows" | "columns"}
     constraint: null | {"name": "max_norm" | "min_max_norm" | "non_neg" | "unit_norm" | "radial", ...config}
  "constraints": [{"constraint": {...}, "w": {"shape", "values"}}]   a constraint applied to one weight
  "regularizers": [{"regularizer": {...}, "x": {"shape", "values"}}]  a penalty and its gradient
Output: {"cases": [{"loss", "penalty" (of the first step), "losses" (every step's total loss, at its weights
         before the update), "grads" (of the first step), "weights_after" (after the last step)}], "constraints": [[...]],
         "regularizers": [{"value", "grad": [...]}]}; arrays are flat lists in C order.

Keras semantics, written here from Keras's source independently of KerasNet:
* total loss = compiled loss + sum(model.losses) (tf.keras 2.4 compile_utils.LossesContainer); model.losses holds
  every weight regularizer's penalty (frozen layers' too: base_layer.losses does not filter on trainable) and, per
  layer call, activity_regularizer(output) / batch_size (Layer._handle_activity_regularization).
* L1/L2/L1L2: l1 * sum(|x|) + l2 * sum(x^2) with the factors cast to float32 (backend.cast_to_floatx).
* OrthogonalRegularizer (Keras 3): rows (or columns) normalised by x * min(rsqrt(sum(x^2)), 1/1e-7), then
  factor * 0.5 * sum(|N N^T| * (1 - I)) / (n (n - 1) / 2).
* ActivityRegularization(l1, l2): the identity with activity regularizer L1L2(l1, l2).
* Keras's optimizer applies a variable's constraint right after updating it: w = constraint(w_updated).
* Constraints (keras/constraints.py, epsilon 1e-7): MaxNorm w * clip(n, 0, max) / (eps + n); MinMaxNorm
  w * (rate * clip(n, min, max) + (1 - rate) * n) / (eps + n); UnitNorm w / (eps + n); NonNeg w * (w >= 0), with
  n = sqrt(sum(w^2, axis, keepdims)); backend.clip raises a max below the min to the min. RadialConstraint: its
  _kernel_constraint transcribed line by line (core, then np.pad with kernel[start + i, start + i]).
* SGD: w - lr * g. Adam (first step, zero slots): lr_t = lr * sqrt(1 - b2) / (1 - b1), w - lr_t * m / (sqrt(v) + 1e-7).
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
EPS = 1e-7


def arr(t):
    return np.array(t["values"], dtype=np.float64).reshape(t["shape"])


def f32(v):
    return float(np.float32(v))


def penalty(spec, x):
    if spec is None:
        return torch.zeros(())
    if "orthogonal" in spec:
        if spec["mode"] == "rows":
            n = x * torch.clamp(torch.rsqrt(torch.sum(x * x, dim=1, keepdim=True)), max=1 / EPS)
            p = n @ n.T
        else:
            n = x * torch.clamp(torch.rsqrt(torch.sum(x * x, dim=0, keepdim=True)), max=1 / EPS)
            p = n.T @ n
        size = p.shape[0]
        pairs = size * (size - 1.0) / 2.0
        return f32(spec["orthogonal"]) * 0.5 * torch.sum(torch.abs(p * (1 - torch.eye(size)))) / pairs
    total = torch.zeros(())
    if spec.get("l1", 0):
        total = total + f32(spec["l1"]) * torch.sum(torch.abs(x))
    if spec.get("l2", 0):
        total = total + f32(spec["l2"]) * torch.sum(x * x)
    return total


def clip(x, lo, hi):
    if hi < lo:
        hi = lo
    return np.clip(x, lo, hi)


def radial_kernel(kernel):
    size = kernel.shape[0]
    start = int(size / 2)
    if size % 2 == 1:
        new = kernel[start - 1:start, start - 1:start]
        index = 0
    else:
        new = kernel[start - 1:start, start - 1:start] + np.zeros((2, 2))
        index = 1
    while index < start:
        new = np.pad(new, ((1, 1), (1, 1)), constant_values=kernel[start + index, start + index])
        index += 1
    return new


def constrain(spec, w):
    name = spec["name"]
    if name == "non_neg":
        return w * (w >= 0)
    if name == "radial":
        h, wd, c, k = w.shape
        flat = w.reshape(h, wd, c * k)
        out = np.stack([radial_kernel(flat[..., i]) for i in range(c * k)], axis=-1)
        return out.reshape(h, wd, c, k)
    axis = spec.get("axis", 0)
    axis = tuple(axis) if isinstance(axis, list) else axis
    norms = np.sqrt(np.sum(w * w, axis=axis, keepdims=True))
    if name == "unit_norm":
        return w / (EPS + norms)
    if name == "max_norm":
        desired = clip(norms, 0, spec.get("max_value", 2))
    elif name == "min_max_norm":
        rate = spec.get("rate", 1.0)
        desired = rate * clip(norms, spec.get("min_value", 0.0), spec.get("max_value", 1.0)) + (1 - rate) * norms
    else:
        raise ValueError(name)
    return w * (desired / (EPS + norms))


def act(name, z):
    return {"linear": lambda t: t, "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
            "softmax": lambda t: torch.softmax(t, dim=-1)}[name or "linear"](z)


def forward(c, ws, x, y):
    """The total loss of one batch (compiled loss + regularization losses) and the regularization part."""
    h = x
    reg = torch.zeros(())
    k = 0
    logits = None
    for layer in c["layers"]:
        kind = layer["kind"]
        if kind == "flatten":
            h = h.reshape(h.shape[0], -1)
            continue
        if kind == "activity_regularization":
            reg = reg + penalty({"l1": layer["l1"], "l2": layer["l2"]}, h) / h.shape[0]
            continue
        kernel = ws[k]
        k += 1
        bias = None
        if layer.get("use_bias", True):
            bias = ws[k]
            k += 1
        if kind == "dense":
            z = h @ kernel
        else:  # conv2d, NHWC with a (kh, kw, in, out) kernel
            z = F.conv2d(h.permute(0, 3, 1, 2), kernel.permute(3, 2, 0, 1)).permute(0, 2, 3, 1)
        if bias is not None:
            z = z + bias
        logits = z
        h = act(layer.get("activation"), z)
        reg = reg + penalty(layer.get("kernel_regularizer"), kernel)
        if bias is not None:
            reg = reg + penalty(layer.get("bias_regularizer"), bias)
        if layer.get("activity_regularizer") is not None:
            reg = reg + penalty(layer["activity_regularizer"], h) / h.shape[0]
    if c["loss"] == "mse":
        loss = torch.mean((h - y) ** 2)
    else:  # softmax output: from its logits, as tf.keras's fit
        loss = torch.mean(-torch.sum(y * torch.log_softmax(logits, dim=-1), dim=-1))
    return loss + reg, reg


def owners(c):
    """(layer spec, "kernel" | "bias") of each weight, in Keras order."""
    out = []
    for layer in c["layers"]:
        if layer["kind"] in ("dense", "conv2d"):
            out.append((layer, "kernel"))
            if layer.get("use_bias", True):
                out.append((layer, "bias"))
    return out


def run_case(c):
    weights = [arr(w) for w in c["weights"]]
    x_all, y_all = arr(c["x"]), arr(c["y"])
    n = x_all.shape[0]
    bs = c.get("batch_size", n)
    opt = c["optimizer"]
    slots = [(np.zeros_like(w), np.zeros_like(w)) for w in weights]
    losses, penalties, first_grads = [], [], None
    for t, start in enumerate(range(0, n, bs), 1):
        ws = [torch.tensor(w, requires_grad=True) for w in weights]
        total, reg = forward(c, ws, torch.tensor(x_all[start:start + bs]), torch.tensor(y_all[start:start + bs]))
        total.backward()
        losses.append(float(total))
        penalties.append(float(reg))
        grads = [w.grad.numpy().copy() for w in ws]
        if first_grads is None:
            first_grads = [g.ravel().tolist() for g in grads]
        for i, (layer, which) in enumerate(owners(c)):
            if not layer.get("trainable", True):
                continue
            g, v = grads[i], weights[i]
            if opt["name"] == "sgd":
                v = v - opt["lr"] * g
            else:
                b1, b2 = 0.9, 0.999
                m = b1 * slots[i][0] + (1 - b1) * g
                s = b2 * slots[i][1] + (1 - b2) * g * g
                slots[i] = (m, s)
                lr_t = opt["lr"] * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                v = v - lr_t * m / (np.sqrt(s) + EPS)
            con = layer.get(which + "_constraint")
            if con is not None:
                v = constrain(con, v)
            weights[i] = v
    return {"loss": losses[0], "penalty": penalties[0], "losses": losses, "grads": first_grads,
            "weights_after": [w.ravel().tolist() for w in weights]}


def main():
    payload = json.load(open(sys.argv[1]))
    out = {"cases": [run_case(c) for c in payload.get("cases", [])], "constraints": [], "regularizers": []}
    for c in payload.get("constraints", []):
        out["constraints"].append(constrain(c["constraint"], arr(c["w"])).ravel().tolist())
    for r in payload.get("regularizers", []):
        x = torch.tensor(arr(r["x"]), requires_grad=True)
        v = penalty(r["regularizer"], x)
        v.backward()
        out["regularizers"].append({"value": float(v), "grad": x.grad.numpy().ravel().tolist()})
    json.dump(out, sys.stdout)


main()
