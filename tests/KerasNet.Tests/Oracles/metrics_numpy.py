"""Oracle for KerasNet's mean metrics: numpy float64 versions of tf.keras 2.4's metric functions, weighted as its
Mean (sum(w * value) / sum(w), a weight per sample broadcast over the sample's rows).

Input (argv[1]): a JSON list of {"fn", "y_true", "true_shape", "y_pred", "pred_shape", "weights" | null, "k", "threshold"}.
Output: a JSON list of floats.
"""
import json
import sys

import numpy as np

EPS = 1e-7


def row_values(fn, y, p, c):
    if fn == "mean_squared_error":
        return np.mean((p - y) ** 2, -1)
    if fn == "mean_absolute_error":
        return np.mean(np.abs(p - y), -1)
    if fn == "mean_absolute_percentage_error":
        return 100 * np.mean(np.abs((y - p) / np.maximum(np.abs(y), EPS)), -1)
    if fn == "mean_squared_logarithmic_error":
        return np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(y, EPS) + 1)) ** 2, -1)
    if fn == "logcosh":
        return np.mean(np.log(np.cosh(p - y)), -1)
    if fn == "binary_accuracy":
        return np.mean((p > np.float32(c.get("threshold", 0.5))).astype(np.float64) == y, -1)
    if fn == "categorical_accuracy":
        return (np.argmax(y, -1) == np.argmax(p, -1)).astype(np.float64)
    if fn == "sparse_categorical_accuracy":
        return (y[..., 0] == np.argmax(p, -1)).astype(np.float64)
    if fn in ("top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy"):
        target = np.argmax(y, -1) if fn.startswith("top") else y[..., 0].astype(int)
        tv = np.take_along_axis(p, target[..., None], -1)
        return (np.sum(p > tv, -1) < c.get("k", 5)).astype(np.float64)
    if fn == "binary_crossentropy":
        q = np.clip(p, EPS, 1 - EPS)
        return np.mean(-(y * np.log(q + EPS) + (1 - y) * np.log(1 - q + EPS)), -1)
    if fn == "categorical_crossentropy":
        q = np.clip(p / np.sum(p, -1, keepdims=True), EPS, 1 - EPS)
        return -np.sum(y * np.log(q), -1)
    raise ValueError(fn)


def main():
    out = []
    for c in json.load(open(sys.argv[1], encoding="utf-8")):
        p = np.array(c["y_pred"], dtype=np.float32).astype(np.float64).reshape(c["pred_shape"])
        y = np.array(c["y_true"], dtype=np.float32).astype(np.float64).reshape(c["true_shape"])
        if y.ndim == p.ndim - 1:
            y = y[..., None]
        n = p.shape[0]
        w = np.ones(n) if c.get("weights") is None else np.array(c["weights"], dtype=np.float32).astype(np.float64)
        if c["fn"] == "root_mean_squared_error":
            e = (p - y) ** 2
            we = np.broadcast_to(w.reshape((n,) + (1,) * (p.ndim - 1)), e.shape)
            out.append(float(np.sqrt(np.sum(we * e) / np.sum(we))))
            continue
        v = row_values(c["fn"], y, p, c)
        wv = np.broadcast_to(w.reshape((n,) + (1,) * (v.ndim - 1)), v.shape)
        out.append(float(np.sum(wv * v) / np.sum(wv)))
    json.dump(out, sys.stdout)


main()
