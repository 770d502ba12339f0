"""PyTorch's torch.optim for the optimizers whose formula is tf.keras 2.4's (the epsilon in the same place):
Adagrad (eps outside sqrt, initial_accumulator_value), Adadelta (eps inside both square roots) and RMSprop
without momentum (eps outside sqrt, centered or not). torch 1.13's NAdam is left out: it multiplies mu into
mu_product_next twice.
Their arithmetic order and some scalar coefficients (computed in Python doubles) differ, so the comparison is
within a tolerance, not bit for bit.

usage: optimizers_torch.py DIR CONFIG_JSON
  DIR/w0.npy, DIR/grads.npy as optimizers_numpy.py; writes DIR/out.npy (steps, n).
CONFIG_JSON: {"name": "adagrad"|"adadelta"|"rmsprop", "sizes": [...], "learning_rate": ..., Keras's fields}.
"""
import json
import sys

import numpy as np
import torch


def main():
    d, c = sys.argv[1], json.loads(sys.argv[2])
    w = np.load(d + "/w0.npy").astype(np.float32)
    grads = np.load(d + "/grads.npy").astype(np.float32)
    offs = np.cumsum([0] + c["sizes"])
    params = [torch.tensor(w[offs[i]:offs[i + 1]].copy(), dtype=torch.float32, requires_grad=True) for i in range(len(c["sizes"]))]
    lr, name = c["learning_rate"], c["name"]
    if name == "adagrad":
        opt = torch.optim.Adagrad(params, lr=lr, initial_accumulator_value=c.get("initial_accumulator_value", 0.1), eps=c.get("epsilon", 1e-7))
    elif name == "adadelta":
        opt = torch.optim.Adadelta(params, lr=lr, rho=c.get("rho", 0.95), eps=c.get("epsilon", 1e-7))
    elif name == "rmsprop":
        assert c.get("momentum", 0) == 0, "torch's RMSprop momentum is another formula"
        opt = torch.optim.RMSprop(params, lr=lr, alpha=c.get("rho", 0.9), eps=c.get("epsilon", 1e-7), centered=c.get("centered", False))
    else:
        raise SystemExit("no torch counterpart for " + name)
    out = []
    for g in grads:
        for i, p in enumerate(params):
            p.grad = torch.tensor(g[offs[i]:offs[i + 1]].copy(), dtype=torch.float32)
        opt.step()
        out.append(np.concatenate([p.detach().numpy() for p in params]))
    np.save(d + "/out.npy", np.stack(out).astype(np.float32))


if __name__ == "__main__":
    main()
