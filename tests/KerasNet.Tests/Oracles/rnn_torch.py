"""PyTorch oracle for KerasNet's recurrent layers: outputs, final states and every gradient, in float64.

usage: rnn_torch.py DIR
DIR/cases.json is a list of cases {"cell": "lstm" | "gru" | "simple", "units", "activation", "recurrent_activation",
"reset_after", "return_sequences", "go_backwards", "zero_output_for_mask", "use_bias", "initial_state", "mask",
"in_groups", "rec_groups"}. Case i reads DIR/{i}_x.npy (batch, steps, features), {i}_k.npy (kernel, Keras layout
(features, G*units)), {i}_rk.npy (units, G*units), {i}_b.npy (Keras's bias), optionally {i}_h0.npy, {i}_c0.npy,
{i}_mask.npy (batch, steps; 1 keeps a step), {i}_dm.npy / {i}_rdm.npy (dropout masks (groups, batch, width)), and
the upstream gradients {i}_gy.npy, {i}_gh.npy, {i}_gc.npy, so L = sum(y gy) + sum(h_T gh) + sum(c_T gc). It writes
{i}_y.npy, {i}_h.npy, {i}_c.npy and the gradients {i}_dx.npy, {i}_dk.npy, {i}_drk.npy, {i}_db.npy, {i}_dh0.npy,
{i}_dc0.npy, and prints one line per case naming the engines that computed it.

Two engines, written independently of KerasNet:
* torch's own nn.LSTM / nn.GRU / nn.RNN with Keras's weights mapped: LSTM gates i, f, c, o are torch's i, f, g, o
  (weight_ih = kernel^T, bias_ih = bias, bias_hh = 0); Keras's GRU gates z, r, h are torch's r, z, n reordered, and
  reset_after=True is exactly torch's GRU (bias row 0 = bias_ih, row 1 = bias_hh); SimpleRNN is nn.RNN (tanh or
  relu). go_backwards feeds the reversed sequence (Keras then returns the outputs in processing order). Used when
  the case has no mask, no dropout and torch's activations.
* a step-by-step transcription of Keras's cells (tf.keras 2.x / Keras 3 LSTMCell, GRUCell, SimpleRNNCell) and of
  Keras's rnn() loop: masked steps keep the states and output the previous output (zeros with
  zero_output_for_mask); dropout masks multiply the inputs (one per gate group) and the recurrent state (one per
  gate) at every step; the GRU mixes with the unmasked previous state; hard_sigmoid is clip(0.2 x + 0.5, 0, 1).
  Used for every case; where the torch module also applies, both must agree to 1e-9 or the script fails.
"""
import json
import os
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)


def act(name, x):
    if name in (None, "", "linear"):
        return x
    if name == "tanh":
        return torch.tanh(x)
    if name == "sigmoid":
        return torch.sigmoid(x)
    if name == "hard_sigmoid":
        return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)
    if name == "relu":
        return torch.relu(x)
    raise ValueError(name)


def gates(cell):
    return {"lstm": 4, "gru": 3, "simple": 1}[cell]


def manual(c, x, k, rk, b, h0, c0, mask, dm, rdm):
    cell, u = c["cell"], c["units"]
    g = gates(cell)
    batch, steps, _ = x.shape
    a, ra = c["activation"], c.get("recurrent_activation")
    if cell == "gru" and c["reset_after"] and b is not None:
        b_in, b_rec = b[0], b[1]
    else:
        b_in, b_rec = b, None
    h = h0 if h0 is not None else torch.zeros(batch, u)
    cc = (c0 if c0 is not None else torch.zeros(batch, u)) if cell == "lstm" else None
    prev_out = torch.zeros(batch, u)
    outs = []
    order = range(steps - 1, -1, -1) if c["go_backwards"] else range(steps)

    def xin(xt, gate):
        if dm is None:
            return xt
        return xt * dm[gate if dm.shape[0] > 1 else 0]

    def hin(gate):
        if rdm is None:
            return h
        return h * rdm[gate if rdm.shape[0] > 1 else 0]

    def proj(xt, gate):
        cols = slice(gate * u, (gate + 1) * u)
        y = xin(xt, gate) @ k[:, cols]
        if b_in is not None:
            y = y + b_in[cols]
        return y

    def rec(gate):
        return hin(gate) @ rk[:, gate * u:(gate + 1) * u]

    for t in order:
        xt = x[:, t, :]
        if cell == "simple":
            new_h = act(a, proj(xt, 0) + rec(0))
            new_c = None
        elif cell == "lstm":
            i = act(ra, proj(xt, 0) + rec(0))
            f = act(ra, proj(xt, 1) + rec(1))
            cand = act(a, proj(xt, 2) + rec(2))
            o = act(ra, proj(xt, 3) + rec(3))
            new_c = f * cc + i * cand
            new_h = o * act(a, new_c)
        else:
            rz, rr = rec(0), rec(1)
            if b_rec is not None:
                rz, rr = rz + b_rec[:u], rr + b_rec[u:2 * u]
            z = act(ra, proj(xt, 0) + rz)
            r = act(ra, proj(xt, 1) + rr)
            if c["reset_after"]:
                rh = rec(2)
                if b_rec is not None:
                    rh = rh + b_rec[2 * u:]
                hh = act(a, proj(xt, 2) + r * rh)
            else:
                hh = act(a, proj(xt, 2) + (r * hin(2)) @ rk[:, 2 * u:])
            new_h = z * h + (1 - z) * hh
            new_c = None
        if mask is not None:
            m = mask[:, t:t + 1] > 0
            fallback = torch.zeros_like(new_h) if c["zero_output_for_mask"] else prev_out
            out = torch.where(m, new_h, fallback)
            h = torch.where(m, new_h, h)
            if cell == "lstm":
                cc = torch.where(m, new_c, cc)
        else:
            out, h = new_h, new_h
            if cell == "lstm":
                cc = new_c
        prev_out = out
        outs.append(out)
    y = torch.stack(outs, 1) if c["return_sequences"] else outs[-1]
    return y, h, cc


def module(c, x, k, rk, b, h0, c0, upstream):
    """torch's own layer with Keras's weights copied into its parameters, back-propagated there, and its parameter
    gradients mapped back to Keras's layouts; None when it does not apply."""
    cell, u = c["cell"], c["units"]
    a, ra = c["activation"], c.get("recurrent_activation")
    batch, steps, features = x.shape
    gy, gh, gc = upstream

    def keep(w):  # LSTM and SimpleRNN rows are Keras's columns in the same order
        return w

    def torch_order(w):  # GRU: Keras columns z, r, h -> torch rows r, z, n
        return torch.cat([w[..., u:2 * u], w[..., :u], w[..., 2 * u:]], -1)

    def keras_order(w):  # torch r, z, n -> Keras z, r, h
        return torch.cat([w[..., u:2 * u], w[..., :u], w[..., 2 * u:]], -1)

    if cell == "lstm" and (a, ra) == ("tanh", "sigmoid"):
        m, to, back = torch.nn.LSTM(features, u, batch_first=True, bias=b is not None), keep, keep
    elif cell == "gru" and c["reset_after"] and (a, ra) == ("tanh", "sigmoid"):
        m, to, back = torch.nn.GRU(features, u, batch_first=True, bias=b is not None), torch_order, keras_order
    elif cell == "simple" and a in ("tanh", "relu"):
        m, to, back = torch.nn.RNN(features, u, batch_first=True, nonlinearity=a, bias=b is not None), keep, keep
    else:
        return None
    with torch.no_grad():
        m.weight_ih_l0.copy_(to(k).T)
        m.weight_hh_l0.copy_(to(rk).T)
        if b is not None:
            if cell == "gru":
                m.bias_ih_l0.copy_(to(b[0]))
                m.bias_hh_l0.copy_(to(b[1]))
            else:
                m.bias_ih_l0.copy_(b)
                m.bias_hh_l0.zero_()
    xl = x.detach().clone().requires_grad_(True)
    h0l = None if h0 is None else h0.detach().clone().requires_grad_(True)
    c0l = None if c0 is None else c0.detach().clone().requires_grad_(True)
    state = None if h0 is None else ((h0l.unsqueeze(0), c0l.unsqueeze(0)) if cell == "lstm" else h0l.unsqueeze(0))
    xs = torch.flip(xl, [1]) if c["go_backwards"] else xl
    out, st = m(xs, state)
    h, cc = (st[0][0], st[1][0]) if cell == "lstm" else (st[0], None)
    y = out if c["return_sequences"] else out[:, -1, :]
    loss = (y * gy).sum()
    if gh is not None:
        loss = loss + (h * gh).sum()
    if cc is not None and gc is not None:
        loss = loss + (cc * gc).sum()
    loss.backward()
    res = {"y": y.detach(), "h": h.detach(), "dx": xl.grad, "dk": back(m.weight_ih_l0.grad.T), "drk": back(m.weight_hh_l0.grad.T)}
    if cc is not None:
        res["c"] = cc.detach()
    if b is not None:
        res["db"] = torch.stack([back(m.bias_ih_l0.grad), back(m.bias_hh_l0.grad)]) if cell == "gru" else m.bias_ih_l0.grad
    if h0 is not None:
        res["dh0"] = h0l.grad
    if c0 is not None:
        res["dc0"] = c0l.grad
    return res


def load(d, i, name):
    p = os.path.join(d, f"{i}_{name}.npy")
    return torch.tensor(np.load(p).astype(np.float64), requires_grad=True) if os.path.exists(p) else None


def main():
    d = sys.argv[1]
    with open(os.path.join(d, "cases.json")) as f:
        cases = json.load(f)
    for i, c in enumerate(cases):
        x, k, rk, b = (load(d, i, n) for n in ("x", "k", "rk", "b"))
        h0, c0 = load(d, i, "h0"), load(d, i, "c0")
        mask = load(d, i, "mask")
        dm, rdm = load(d, i, "dm"), load(d, i, "rdm")
        gy, gh, gc = load(d, i, "gy"), load(d, i, "gh"), load(d, i, "gc")
        leaves = [("x", x), ("k", k), ("rk", rk), ("b", b), ("h0", h0), ("c0", c0)]
        engines = []

        def run(fn):
            y, h, cc = fn()
            loss = (y * gy).sum()
            if gh is not None:
                loss = loss + (h * gh).sum()
            if cc is not None and gc is not None:
                loss = loss + (cc * gc).sum()
            wanted = [t for _, t in leaves if t is not None]
            grads = torch.autograd.grad(loss, wanted, allow_unused=True)
            out = {"y": y.detach(), "h": h.detach()}
            if cc is not None:
                out["c"] = cc.detach()
            it = iter(grads)
            for name, t in leaves:
                if t is not None:
                    gr = next(it)
                    out["d" + name] = gr if gr is not None else torch.zeros_like(t)
            return out

        res = run(lambda: manual(c, x, k, rk, b, h0, c0, mask, dm, rdm))
        engines.append("manual")
        if mask is None and dm is None and rdm is None:
            res2 = module(c, x, k, rk, b, h0, c0, (gy, gh, gc))
            if res2 is not None:
                for key, v in res.items():
                    diff = (v - res2[key]).abs().max().item()
                    if diff > 1e-9:
                        raise SystemExit(f"case {i}: the transcription and torch's module disagree on {key} by {diff}")
                engines.append("torch.nn")
        for key, v in res.items():
            np.save(os.path.join(d, f"{i}_{key}.npy"), v.numpy().astype(np.float32))
        print(f"case {i}: {'+'.join(engines)}")


if __name__ == "__main__":
    main()
