"""The KerasNet speed workload in PyTorch, for comparison in the same run (see EpochBench.cs).

216 random 64x64x3 images at batch 8 (27 Adam steps) + 54 validation predictions at batch 1 per epoch, the
tutorial CNN, 2 threads. Prints the BLAS in use, then one RESULT line the C# bench parses.
Run with Debian's interpreter: /usr/bin/python3 pytorch_epoch.py [epochs]
"""
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_nets import tutorial_cnn  # noqa: E402 (the shared network definition beside this script)

torch.set_num_threads(2)
torch.manual_seed(0)
config = torch.__config__.show()
import re
blas_info = (re.search(r"BLAS_INFO=[^,\s]*", config) or re.search(r"$", config)).group(0) or "BLAS_INFO=?"
torch.ones(64, 64) @ torch.ones(64, 64)  # loads the BLAS library
with open("/proc/self/maps") as maps:
    blas_libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line})
print(f"torch {torch.__version__}, {blas_info}, loaded: {' '.join(blas_libs) or 'none'}, threads {torch.get_num_threads()}", flush=True)

model = tutorial_cnn()
opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
loss_fn = nn.CrossEntropyLoss()
labels = torch.arange(216) % 2
x = torch.rand(216, 3, 64, 64) * 0.5 + labels.view(-1, 1, 1, 1) * 0.2
xv = torch.rand(54, 3, 64, 64) * 0.5 + (torch.arange(54) % 2).view(-1, 1, 1, 1) * 0.2


def epoch():
    t0 = time.perf_counter()
    model.train()
    perm = torch.randperm(216)
    for i in range(0, 216, 8):
        idx = perm[i:i + 8]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), labels[idx])
        loss.backward()
        opt.step()
    t1 = time.perf_counter()
    model.eval()
    with torch.no_grad():
        for i in range(54):
            model(xv[i:i + 1])
    return t1 - t0, time.perf_counter() - t1


epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
epoch()  # warm-up
times = [epoch() for _ in range(epochs)]
train = statistics.median(t for t, _ in times)
val = statistics.median(v for _, v in times)
rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"RESULT train={train:.4f} val={val:.4f} total={statistics.median(t + v for t, v in times):.4f} peak_rss_mb={rss_mb:.0f}", flush=True)
