"""Keras 1.2 full-model .h5 files whose first layer declares its input with input_dim/input_length only (no
batch_input_shape), written with h5py, and their expected outputs computed here with numpy (float64).

usage: keras1_input_dim_h5.py OUT_DIR
* lstm.h5 (+ lstm_x.npy, lstm_y.npy): LSTM(output_dim=4, input_dim=3, input_length=5) -> Dense(output_dim=2);
  Keras 1 made that input_shape (5, 3).
* embedding.h5 (+ embedding_x.npy, embedding_y.npy): Embedding(input_dim=10, output_dim=4, input_length=7,
  mask_zero=True) -> LSTM(output_dim=3) -> Dense(output_dim=1, sigmoid); Keras 1 made that input_shape (7,).
As Keras 1.2's save_model wrote them: attributes keras_version '1.2.2' and model_config (the list-form Sequential
config), a model_weights group with layer_names, each layer's weights one array per gate (lstm_1_W_i, lstm_1_U_i,
lstm_1_b_i, then c, f, o: Keras 1's gate order) and hard_sigmoid recurrent gates (Keras 1's default).
"""
import json
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(11)


def rand(*shape, scale=0.5):
    return rng.uniform(-scale, scale, shape).astype(np.float32)


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def lstm(x, mask, k, rk, b):
    """Keras's LSTM (gates i, f, c, o in the Keras 2 layout), a masked step carrying the state over."""
    u = rk.shape[0]
    h, c = np.zeros((x.shape[0], u)), np.zeros((x.shape[0], u))
    for t in range(x.shape[1]):
        z = x[:, t] @ k + h @ rk + b
        i, f, g, o = hard_sigmoid(z[:, :u]), hard_sigmoid(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), hard_sigmoid(z[:, 3 * u:])
        c_new = f * c + i * g
        h_new = o * np.tanh(c_new)
        keep = mask[:, t:t + 1]
        h, c = np.where(keep, h_new, h), np.where(keep, c_new, c)
    return h


def lstm_gate_arrays(name, k, rk, b):
    """Keras 1's per-gate arrays, in its order i, c, f, o, from the Keras 2 layout (i, f, c, o)."""
    u = rk.shape[0]
    names, arrays = [], []
    for gate, col in (("i", 0), ("c", 2), ("f", 1), ("o", 3)):
        cols = slice(col * u, (col + 1) * u)
        for kind, a in (("W", k[:, cols]), ("U", rk[:, cols]), ("b", b[cols])):
            names.append(f"{name}_{kind}_{gate}")
            arrays.append(a)
    return list(zip(names, arrays))


def keras1_lstm(name, units, extra):
    cfg = {"name": name, "trainable": True, "output_dim": units, "init": "glorot_uniform", "inner_init": "orthogonal",
           "forget_bias_init": "one", "activation": "tanh", "inner_activation": "hard_sigmoid",
           "W_regularizer": None, "U_regularizer": None, "b_regularizer": None, "dropout_W": 0.0, "dropout_U": 0.0,
           "return_sequences": False, "go_backwards": False, "stateful": False, "unroll": False, "consume_less": "cpu",
           "input_dim": None, "input_length": None}
    cfg.update(extra)
    return {"class_name": "LSTM", "config": cfg}


def keras1_dense(name, units, activation, input_dim):
    return {"class_name": "Dense", "config": {"name": name, "trainable": True, "output_dim": units, "init": "glorot_uniform",
            "activation": activation, "W_regularizer": None, "b_regularizer": None, "activity_regularizer": None,
            "W_constraint": None, "b_constraint": None, "bias": True, "input_dim": input_dim}}


def write(path, layers, weights):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"1.2.2"
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": layers}).encode()
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([n.encode() for n, _ in weights])
        for lname, arrays in weights:
            lg = g.create_group(lname)
            lg.attrs["weight_names"] = np.array([n.encode() for n, _ in arrays])
            for n, a in arrays:
                lg.create_dataset(n, data=a)


# ---- LSTM(input_dim=3, input_length=5) -> Dense ----
x = rand(4, 5, 3, scale=1.0)
k, rk, b = rand(3, 16), rand(4, 16), rand(16)
dk, db = rand(4, 2), rand(2)
y = lstm(x.astype(np.float64), np.ones((4, 5), bool), k, rk, b) @ dk + db
write(os.path.join(out, "lstm.h5"),
      [keras1_lstm("lstm_1", 4, {"input_dim": 3, "input_length": 5}), keras1_dense("dense_1", 2, "linear", 4)],
      [("lstm_1", lstm_gate_arrays("lstm_1", k, rk, b)), ("dense_1", [("dense_1_W", dk), ("dense_1_b", db)])])
np.save(os.path.join(out, "lstm_x.npy"), x)
np.save(os.path.join(out, "lstm_y.npy"), y.astype(np.float32))

# ---- Embedding(input_length=7, mask_zero) -> LSTM -> Dense ----
ids = np.array([[0, 0, 3, 1, 4, 1, 5], [0, 9, 2, 6, 5, 3, 5], [0, 0, 0, 0, 8, 9, 7], [2, 3, 8, 4, 6, 2, 6]], np.float32)
emb = rand(10, 4)
k, rk, b = rand(4, 12), rand(3, 12), rand(12)
dk, db = rand(3, 1), rand(1)
h = lstm(emb[ids.astype(np.int64)].astype(np.float64), ids != 0, k, rk, b)
y = 1 / (1 + np.exp(-(h @ dk + db)))
embedding = {"class_name": "Embedding", "config": {"name": "embedding_1", "trainable": True, "input_dtype": "int32",
             "input_dim": 10, "output_dim": 4, "init": "uniform", "input_length": 7, "W_regularizer": None,
             "activity_regularizer": None, "W_constraint": None, "mask_zero": True, "dropout": 0.0}}
write(os.path.join(out, "embedding.h5"),
      [embedding, keras1_lstm("lstm_2", 3, {}), keras1_dense("dense_2", 1, "sigmoid", None)],
      [("embedding_1", [("embedding_1_W", emb)]), ("lstm_2", lstm_gate_arrays("lstm_2", k, rk, b)),
       ("dense_2", [("dense_2_W", dk), ("dense_2_b", db)])])
np.save(os.path.join(out, "embedding_x.npy"), ids)
np.save(os.path.join(out, "embedding_y.npy"), y.astype(np.float32))
