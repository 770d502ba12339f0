"""Writes a Keras 1.x / Theano style weights file for JsonTests.Keras1Json, with an input and its expected output.

usage: saving_keras1_fixture.py OUT_DIR
Keras 1 with dim_ordering 'th' stores Convolution2D kernels as (filters, in, rows, cols), writes fixed-length
string attributes and no keras_version/backend attributes; Theano computes a true convolution (flipped kernel).
The expected output is computed here in float64 with numpy from those semantics: conv (true convolution, 'valid')
+ relu, 2x2 max pooling, flatten of the (c, h, w) tensor in memory order, dense + softmax.
"""
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(42)
x = rng.random((2, 2, 7, 6)).astype(np.float32)          # N, C, H, W
W = rng.normal(0, 0.5, (4, 2, 2, 3)).astype(np.float32)  # filters, in, rows, cols
b = rng.normal(0, 0.1, (4,)).astype(np.float32)
D = rng.normal(0, 0.3, (24, 3)).astype(np.float32)
d = rng.normal(0, 0.1, (3,)).astype(np.float32)

with h5py.File(os.path.join(out, "k1.h5"), "w") as f:
    f.attrs["layer_names"] = np.array([b"convolution2d_1", b"maxpooling2d_1", b"dropout_1", b"flatten_1", b"dense_1"])
    for name, weights in [("convolution2d_1", [("convolution2d_1_W", W), ("convolution2d_1_b", b)]),
                          ("maxpooling2d_1", []), ("dropout_1", []), ("flatten_1", []),
                          ("dense_1", [("dense_1_W", D), ("dense_1_b", d)])]:
        g = f.create_group(name)
        g.attrs["weight_names"] = np.array([n.encode() for n, _ in weights]) if weights else np.zeros((0,), np.float64)
        for n, v in weights:
            g.create_dataset(n, data=v)

xd, Wd = x.astype(np.float64), W.astype(np.float64)
kh, kw = Wd.shape[2:]
oh, ow = x.shape[2] - kh + 1, x.shape[3] - kw + 1
conv = np.zeros((x.shape[0], W.shape[0], oh, ow))
for i in range(oh):
    for j in range(ow):
        patch = xd[:, :, i:i + kh, j:j + kw]                      # N, C, kh, kw
        conv[:, :, i, j] = np.einsum("ncab,ocab->no", patch, Wd[:, :, ::-1, ::-1])
conv = np.maximum(conv + b[None, :, None, None], 0)
pooled = conv[:, :, :oh // 2 * 2, :ow // 2 * 2].reshape(x.shape[0], 4, oh // 2, 2, ow // 2, 2).max(axis=(3, 5))
flat = pooled.reshape(x.shape[0], -1)                            # c, h, w order
logits = flat @ D.astype(np.float64) + d
e = np.exp(logits - logits.max(axis=1, keepdims=True))
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "expected.npy"), (e / e.sum(axis=1, keepdims=True)).astype(np.float32))
