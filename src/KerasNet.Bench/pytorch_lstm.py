"""The KerasNet LSTM speed workload in PyTorch, for comparison in the same run (see LstmBench.cs).

10,000 sequences of 100 steps x 32 features (the same formula as LstmBench.MakeData), LSTM(128) + Linear(1), MSE,
Adam (lr 1e-3, eps 1e-7 as Keras), batch 32 in order, 2 threads (or the given number), the initial weights KerasNet wrote (Keras layout,
gates i, f, c, o = torch's i, f, g, o). Driven by commands on stdin (see the end), so that the bench alternates
PyTorch's epochs with KerasNet's in the same run.
usage: /usr/bin/python3 pytorch_lstm.py WEIGHTS_DIR [threads]
"""
import os
import resource
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn as nn

d = sys.argv[1]
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
N, T, F, U, B = 10_000, 100, 32, 128, 32
print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, mkldnn {torch.backends.mkldnn.is_available()}", flush=True)

n = np.arange(N, dtype=np.float64)[:, None, None]
t = np.arange(T, dtype=np.float64)[None, :, None]
f = np.arange(F, dtype=np.float64)[None, None, :]
x = torch.tensor(np.sin(0.013 * n + 0.11 * t + 0.37 * f).astype(np.float32))
y = x[:, -1, :].mean(1, keepdim=True)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(F, U, batch_first=True)
        self.head = nn.Linear(U, 1)

    def forward(self, xb):
        out, _ = self.lstm(xb)
        return self.head(out[:, -1, :])


model = Net()
w = {k: torch.tensor(np.load(os.path.join(d, k + ".npy"))) for k in ("kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias")}
with torch.no_grad():
    model.lstm.weight_ih_l0.copy_(w["kernel"].T)
    model.lstm.weight_hh_l0.copy_(w["recurrent_kernel"].T)
    model.lstm.bias_ih_l0.copy_(w["bias"])
    model.lstm.bias_hh_l0.zero_()
    model.head.weight.copy_(w["dense_kernel"].T)
    model.head.bias.copy_(w["dense_bias"])
# Keras's LSTM has one bias; torch's two (input and recurrent) would both be trained, doubling the bias's steps.
model.lstm.bias_hh_l0.requires_grad_(False)
initial = {k: v.clone() for k, v in model.state_dict().items()}
opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3, eps=1e-7)
loss_fn = nn.MSELoss()


def epoch(batches=None):
    t0 = time.perf_counter()
    model.train()
    last = N if batches is None else batches * B
    total = 0.0
    for i in range(0, last, B):
        opt.zero_grad()
        loss = loss_fn(model(x[i:i + B]), y[i:i + B])
        loss.backward()
        opt.step()
        total += loss.item() * min(B, last - i)
    return time.perf_counter() - t0, total / last


def latency():
    model.eval()
    one = x[:1]
    lat = []
    with torch.no_grad():
        for _ in range(20):
            model(one)
        for _ in range(200):
            t0 = time.perf_counter()
            model(one)
            lat.append(time.perf_counter() - t0)
    return statistics.median(lat)


# Commands on stdin, one per line, so the bench can interleave these epochs with KerasNet's (both see the same load):
# "warm" (20 batches), "train" (one epoch), "latency", "quit". Each answer is one line.
print("READY", flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "warm":
        epoch(20)
        print("OK", flush=True)
    elif cmd == "train":
        seconds, loss = epoch()
        print(f"TRAIN {seconds:.4f} {loss:.6g}", flush=True)
    elif cmd.startswith("losses"):
        # The loss of each of the first K batches from the initial weights with plain SGD (lr 0.1): Keras's and torch's
        # Adam differ in where epsilon sits, so only SGD makes the two trajectories comparable step by step.
        k = int(cmd.split()[1])
        model.load_state_dict(initial)
        sgd = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
        out = []
        for i in range(0, k * B, B):
            sgd.zero_grad()
            loss = loss_fn(model(x[i:i + B]), y[i:i + B])
            loss.backward()
            sgd.step()
            out.append(f"{loss.item():.6g}")
        model.load_state_dict(initial)
        print("LOSSES " + " ".join(out), flush=True)
    elif cmd == "latency":
        print(f"LATENCY {latency():.6f}", flush=True)
    elif cmd == "quit":
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"RSS {rss_mb:.0f}", flush=True)
        break
