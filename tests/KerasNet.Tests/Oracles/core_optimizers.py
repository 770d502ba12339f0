"""Independent oracle for one or more optimizer steps, written from the tf.keras 2.4 update rules
(TensorFlow's ApplyAdam / ResourceApplyKerasMomentum / ApplyRMSProp and Keras's RMSprop without momentum),
in float32 numpy as TensorFlow computes them.

usage: core_optimizers.py DIR CONFIG_JSON
  DIR/w0.npy: (n,) initial parameters; DIR/grads.npy: (steps, n) gradients.
  Writes DIR/out.npy: (steps, n) parameters after each step.
CONFIG_JSON: {"name": "adam"|"sgd"|"rmsprop", "lr": ..., and the optimizer's own fields}.
"""
import json
import sys

import numpy as np

f32 = np.float32


def adam(w, grads, c):
    lr, b1, b2, eps = f32(c["lr"]), f32(c.get("beta_1", 0.9)), f32(c.get("beta_2", 0.999)), f32(c.get("epsilon", 1e-7))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        b1p, b2p = f32(b1 ** f32(t)), f32(b2 ** f32(t))
        lr_t = f32(lr * np.sqrt(f32(1) - b2p) / (f32(1) - b1p))
        m = m + (g - m) * (f32(1) - b1)
        v = v + (g * g - v) * (f32(1) - b2)
        w = w - lr_t * m / (np.sqrt(v) + eps)
        yield w


def sgd(w, grads, c):
    lr, mu, nesterov = f32(c["lr"]), f32(c.get("momentum", 0.0)), bool(c.get("nesterov", False))
    accum = np.zeros_like(w)
    for g in grads:
        if mu == 0:
            w = w - lr * g
        else:
            accum = accum * mu - lr * g
            w = w + (accum * mu - lr * g if nesterov else accum)
        yield w


def rmsprop(w, grads, c):
    lr, rho, mu, eps = f32(c["lr"]), f32(c.get("rho", 0.9)), f32(c.get("momentum", 0.0)), f32(c.get("epsilon", 1e-7))
    ms = np.zeros_like(w)
    mom = np.zeros_like(w)
    for g in grads:
        ms = rho * ms + (f32(1) - rho) * (g * g)
        if mu == 0:
            # Keras's own dense update: epsilon outside the square root.
            w = w - lr * g / (np.sqrt(ms) + eps)
        else:
            # TensorFlow's ApplyRMSProp kernel: epsilon inside the square root.
            mom = mu * mom + lr * g / np.sqrt(ms + eps)
            w = w - mom
        yield w


def main():
    d, cfg = sys.argv[1], json.loads(sys.argv[2])
    w = np.load(d + "/w0.npy").astype(np.float32)
    grads = np.load(d + "/grads.npy").astype(np.float32)
    step = {"adam": adam, "sgd": sgd, "rmsprop": rmsprop}[cfg["name"]]
    out = np.stack(list(step(w, grads, cfg))).astype(np.float32)
    np.save(d + "/out.npy", out)


if __name__ == "__main__":
    main()
