"""The bench's LSTM (LSTM(units) -> Dense(1), Keras weights) as an ONNX graph, for ONNX Runtime to run (see LstmOnnxBench.cs).

usage: /usr/bin/python3 lstm_onnx_export.py WEIGHTS_DIR OUT.onnx STEPS
WEIGHTS_DIR holds the Keras arrays as .npy: kernel (features, 4 units), recurrent_kernel (units, 4 units), bias
(4 units,), dense_kernel (units, 1), dense_bias (1,). The graph is built by torch: nn.LSTM(batch_first) with the
Keras gates mapped (Keras's i, f, c, o are torch's i, f, g, o, so weight_ih = kernel.T, weight_hh =
recurrent_kernel.T, bias_ih = bias, bias_hh = 0; both sigmoid/tanh) and nn.Linear on the last step, exported by
torch.onnx (opset 13: ONNX's LSTM operator, which ONNX Runtime runs with its own kernels, not torch's).
Input "input" (batch, STEPS, features) float32 with a dynamic batch axis; output "output" (batch, 1).
Also used by tests/KerasNet.Tests/Models/LstmOnnxTests.cs to check that ONNX Runtime's answer on this export equals
KerasNet's, so the bench compares the same computation.
"""
import os
import sys

import numpy as np
import torch
from torch import nn

if len(sys.argv) != 4:
    sys.exit(__doc__)
d, out = sys.argv[1], sys.argv[2]
w = {k: torch.from_numpy(np.load(os.path.join(d, k + ".npy")).astype(np.float32))
     for k in ("kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias")}
features, units = w["kernel"].shape[0], w["recurrent_kernel"].shape[0]
if w["kernel"].shape[1] != 4 * units or w["bias"].shape != (4 * units,):
    sys.exit(f"not an LSTM's weights: kernel {tuple(w['kernel'].shape)}, bias {tuple(w['bias'].shape)} for {units} units")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(features, units, batch_first=True)
        self.head = nn.Linear(units, w["dense_kernel"].shape[1])

    def forward(self, x):
        seq, _ = self.lstm(x)
        return self.head(seq[:, -1, :])


net = Net().eval()
with torch.no_grad():
    net.lstm.weight_ih_l0.copy_(w["kernel"].T)
    net.lstm.weight_hh_l0.copy_(w["recurrent_kernel"].T)
    net.lstm.bias_ih_l0.copy_(w["bias"])
    net.lstm.bias_hh_l0.zero_()
    net.head.weight.copy_(w["dense_kernel"].T)
    net.head.bias.copy_(w["dense_bias"])
steps = int(sys.argv[3])
dummy = torch.zeros(1, steps, features)
torch.onnx.export(net, dummy, out, input_names=["input"], output_names=["output"],
                  dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, opset_version=13)
print(f"exported LSTM({units}) on {features} features, {steps} steps, to {out}")
