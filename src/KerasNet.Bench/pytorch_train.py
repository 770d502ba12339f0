"""The training bench's networks in PyTorch, for comparison in the same run (see TrainBench.cs).

The keras.io MNIST convnet (Conv2D 32, MaxPool, Conv2D 64, MaxPool, Flatten, Dropout 0.5, Dense 10) and the tutorial
CNN (see pytorch_epoch.py), started from the weights KerasNet wrote (Keras layout, converted here: conv kernels
HWIO -> OIHW, dense kernels transposed, the first dense kernel's rows reordered from NHWC's flatten order to NCHW's),
Adam (lr 1e-3, eps 1e-7 as Keras), cross-entropy on the logits (Keras fuses softmax with its loss), synthetic data of
the same shapes. Driven by commands on stdin, each answered by one line:
  build NET BATCH SAMPLES WEIGHTS_DIR -> ok      (NET: mnist | tutorial)
  run STEPS                           -> seconds for STEPS training steps (cycling over the data's batches)
usage: /usr/bin/python3 pytorch_train.py [threads]
"""
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_nets import tutorial_cnn  # noqa: E402 (the shared network definition beside this script)

torch.set_num_threads(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
torch.manual_seed(0)
print(f"torch {torch.__version__}, threads {torch.get_num_threads()}", flush=True)


def network(net):
    if net == "mnist":
        m = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
        return m, (5, 5, 64), (1, 28, 28), 10
    m = tutorial_cnn()
    return m, (6, 6, 32), (3, 64, 64), 2


def load(model, flat_hwc, d):
    i, first_linear = 0, True
    with torch.no_grad():
        for layer in model:
            if not isinstance(layer, (nn.Conv2d, nn.Linear)):
                continue
            k = np.load(os.path.join(d, f"w{i}.npy"))
            b = np.load(os.path.join(d, f"w{i + 1}.npy"))
            i += 2
            if isinstance(layer, nn.Conv2d):
                k = k.transpose(3, 2, 0, 1)
            else:
                if first_linear:
                    h, w, c = flat_hwc
                    k = k.reshape(h, w, c, -1).transpose(2, 0, 1, 3).reshape(h * w * c, -1)
                    first_linear = False
                k = k.T
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(k)))
            layer.bias.copy_(torch.from_numpy(b))


state = {}


def build(net, batch, samples, d):
    model, flat_hwc, shape, classes = network(net)
    load(model, flat_hwc, d)
    labels = torch.arange(samples) % classes
    x = torch.rand(samples, *shape) * 0.5 + labels.view(-1, 1, 1, 1) * (0.05 if net == "mnist" else 0.2)
    state.update(model=model, opt=torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7), x=x, y=labels,
                 batch=batch, samples=samples, pos=0, loss=nn.CrossEntropyLoss())


def run(steps):
    s = state
    model, opt, loss_fn = s["model"], s["opt"], s["loss"]
    model.train()
    t0 = time.perf_counter()
    for _ in range(steps):
        i = s["pos"]
        xb, yb = s["x"][i:i + s["batch"]], s["y"][i:i + s["batch"]]
        s["pos"] = 0 if i + s["batch"] >= s["samples"] else i + s["batch"]
        opt.zero_grad()
        loss_fn(model(xb), yb).backward()
        opt.step()
    return time.perf_counter() - t0


print("READY", flush=True)
for line in sys.stdin:
    parts = line.split()
    if not parts or parts[0] == "quit":
        break
    try:
        if parts[0] == "build":
            build(parts[1], int(parts[2]), int(parts[3]), parts[4])
            print("ok", flush=True)
        elif parts[0] == "run":
            print(f"{run(int(parts[1])):.6f}", flush=True)
        else:
            print(f"error unknown command {parts[0]}", flush=True)
    except Exception as e:  # one line back, so the bench reports it instead of waiting
        print(f"error {type(e).__name__}: {e}".replace("\n", " "), flush=True)
