"""Writes a Keras 1.2 model file holding a BatchNormalization (mode 0), with an input and its expected output.

usage: norm_keras1_h5.py OUT_DIR
Keras 1's BatchNormalization had `mode` and `axis` and the weights gamma, beta, running_mean and running_std, in
that order (trainable_weights + non_trainable_weights); despite its name running_std held the moving VARIANCE
(Keras 1.2 normalization.py updates it with the variance returned by K.normalize_batch_in_training and passes it to
K.batch_normalization as the variance). The file is laid out as Keras 1.2's save_model writes it: keras_version and
model_config attributes, a Sequential config that is a list of layers, model_weights with layer_names and
weight_names. The expected output is computed here with numpy in float64:
dense (linear) then (h - running_mean) / sqrt(running_std + epsilon) * gamma + beta.
Also prints, as JSON, the weight_names of the batchnormalization group.
"""
import json
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)
x = rng.normal(size=(5, 4)).astype(np.float32)
W = rng.normal(0, 0.5, (4, 3)).astype(np.float32)
b = rng.normal(0, 0.1, (3,)).astype(np.float32)
gamma = rng.uniform(0.5, 1.5, (3,)).astype(np.float32)
beta = rng.uniform(-0.5, 0.5, (3,)).astype(np.float32)
mean = rng.uniform(-0.5, 0.5, (3,)).astype(np.float32)
var = rng.uniform(0.5, 1.5, (3,)).astype(np.float32)
eps = 1e-3

config = {"class_name": "Sequential", "config": [
    {"class_name": "Dense", "config": {
        "name": "dense_1", "trainable": True, "batch_input_shape": [None, 4], "input_dtype": "float32",
        "output_dim": 3, "init": "glorot_uniform", "activation": "linear", "W_regularizer": None,
        "b_regularizer": None, "activity_regularizer": None, "W_constraint": None, "b_constraint": None,
        "bias": True, "input_dim": 4}},
    {"class_name": "BatchNormalization", "config": {
        "name": "batchnormalization_1", "trainable": True, "epsilon": eps, "mode": 0, "axis": -1,
        "gamma_regularizer": None, "momentum": 0.99, "beta_regularizer": None}}]}

names = ["batchnormalization_1_gamma", "batchnormalization_1_beta", "batchnormalization_1_running_mean",
         "batchnormalization_1_running_std"]
with h5py.File(os.path.join(out, "k1_bn.h5"), "w") as f:
    f.attrs["keras_version"] = b"1.2.2"
    f.attrs["model_config"] = json.dumps(config).encode("utf8")
    g = f.create_group("model_weights")
    g.attrs["layer_names"] = np.array([b"dense_1", b"batchnormalization_1"])
    for layer, weights in [("dense_1", [("dense_1_W", W), ("dense_1_b", b)]),
                           ("batchnormalization_1", list(zip(names, [gamma, beta, mean, var])))]:
        lg = g.create_group(layer)
        lg.attrs["weight_names"] = np.array([n.encode() for n, _ in weights])
        for n, v in weights:
            lg.create_dataset(n, data=v)

h = x.astype(np.float64) @ W.astype(np.float64) + b
y = (h - mean) / np.sqrt(var.astype(np.float64) + eps) * gamma + beta
np.save(os.path.join(out, "x.npy"), x)
np.save(os.path.join(out, "expected.npy"), y.astype(np.float32))
print(json.dumps(names))
