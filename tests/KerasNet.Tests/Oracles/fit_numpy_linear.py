"""Keras 2.4's fit schedule on arrays, transcribed in numpy, for a linear Dense model with mean squared error and
plain SGD (float64). Used by FitScheduleTests: which rows validation_split holds out (train_validation_split:
split_at = floor(n * (1 - validation_split))), the batches of each epoch with shuffle=False (the arrays' dataset is
repeated epochs - initial_epoch times and a new iterator starts every epoch, so steps_per_epoch takes the first
steps of that stream and may run past one pass; past the whole stream the data runs out and training stops), the
batch sizes (batch_size, else ceil(samples / steps_per_epoch), else 32; validation: validation_batch_size or
batch_size, else ceil(samples / validation_steps), else 32), validation_steps and validation_freq.

usage: fit_numpy_linear.py DIR   (DIR holds spec.json, x.npy, y.npy, w.npy, b.npy; writes result.json)
"""
import json
import math
import os
import sys

import numpy as np


def batches(rows, size):
    return [rows[i:i + size] for i in range(0, len(rows), size)]


def size_for(batch_size, steps, samples):
    if batch_size:
        return batch_size
    return int(math.ceil(samples / steps)) if steps else 32


def mse(w, b, x, y):
    r = x @ w + b - y
    return float(np.mean(r * r)), r


def main(d):
    spec = json.load(open(os.path.join(d, "spec.json")))
    x = np.load(os.path.join(d, "x.npy")).astype(np.float64)
    y = np.load(os.path.join(d, "y.npy")).astype(np.float64)
    w = np.load(os.path.join(d, "w.npy")).astype(np.float64)
    b = np.load(os.path.join(d, "b.npy")).astype(np.float64)
    n = x.shape[0]
    vs = spec.get("validation_split") or 0
    split_at = int(math.floor(n * (1.0 - vs))) if vs else n
    train = list(range(split_at))
    val = list(range(split_at, n))
    epochs, initial = spec["epochs"], spec.get("initial_epoch") or 0
    spe = spec.get("steps_per_epoch")
    bs = size_for(spec.get("batch_size"), spe, len(train))
    passes = max(1, epochs - initial)
    stream = batches(train, bs) * passes
    steps = spe or len(batches(train, bs))
    vbs = size_for(spec.get("validation_batch_size") or spec.get("batch_size"), spec.get("validation_steps"), len(val)) if val else 0
    freq = spec.get("validation_freq") or 1
    lr = spec["lr"]
    history = {"loss": [], "val_loss": []}
    run = []
    for epoch in range(initial, epochs):
        run.append(epoch)
        total, seen = 0.0, 0
        for rows in stream[:steps]:
            xb, yb = x[rows], y[rows]
            loss, r = mse(w, b, xb, yb)
            g = 2.0 * r / r.size
            w -= lr * (xb.T @ g)
            b -= lr * g.sum(axis=0)
            total += loss * len(rows)
            seen += len(rows)
        history["loss"].append(total / seen)
        ran_out = steps > len(stream)
        one_based = epoch + 1
        if val and ((one_based in freq) if isinstance(freq, list) else one_based % freq == 0):
            vb = batches(val, vbs)[:spec.get("validation_steps") or None]
            vt = sum(mse(w, b, x[r], y[r])[0] * len(r) for r in vb)
            history["val_loss"].append(vt / sum(len(r) for r in vb))
        if ran_out:
            break
    if not history["val_loss"]:
        del history["val_loss"]
    json.dump({"history": history, "epochs": run, "w": w.ravel().tolist(), "b": b.ravel().tolist()},
              open(os.path.join(d, "result.json"), "w"))


if __name__ == "__main__":
    main(sys.argv[1])
