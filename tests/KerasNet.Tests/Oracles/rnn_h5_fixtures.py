"""Hand-built Keras files with recurrent layers, and their expected outputs computed here with numpy (float64).

usage: rnn_h5_fixtures.py OUT_DIR
Writes, each with x.npy-style inputs and expected outputs:
* keras1.json + keras1_weights.h5 (+ keras1_x.npy, keras1_y.npy): a Keras 1.2 Sequential (list-form config,
  output_dim/init/inner_init/inner_activation fields) of LSTM(4, return_sequences) -> GRU(3, return_sequences) ->
  SimpleRNN(2), weights as Keras 1 saved them: one array per gate, named lstm_1_W_i, lstm_1_U_i, lstm_1_b_i,
  lstm_1_W_c, ..., in Keras 1's gate order i, c, f, o (GRU z, r, h), no keras_version attribute. Keras 1's cells:
  hard_sigmoid gates, the GRU resets the state before its product.
* cudnn.h5 (+ cudnn_x.npy, cudnn_y.npy): a Keras 2.2.4 full model of CuDNNLSTM(4, return_sequences) -> CuDNNGRU(3),
  weights in CuDNN's layout as Keras 2.2.4 wrote them: each gate's input kernel in Fortran order (Keras's
  block k is stored as k.T.reshape(k.shape)), each gate's recurrent kernel transposed, the LSTM's input and
  recurrent biases stored separately (8 units) and the GRU's as one (6 units) vector. The expected output is the
  Keras-layout LSTM (sigmoid, tanh) and GRU reset_after computed from the weights before that transformation.
* tfkeras.h5 (+ tfkeras_x.npy, tfkeras_y.npy): a tf.keras 2.4 full model, Bidirectional(LSTM(3, return_sequences),
  merge_mode concat) -> GRU(2) (reset_after, bias (2, 6)), weights named as tf.keras 2.4 names them
  (bidirectional/forward_lstm/lstm_cell_1/kernel:0, gru/gru_cell_2/kernel:0, ...).
"""
import json
import os
import sys

import h5py
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(7)


def hard_sigmoid(x):
    return np.clip(0.2 * x + 0.5, 0.0, 1.0)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def run(x, step, units, n_states, go_backwards=False, sequences=False):
    batch, steps, _ = x.shape
    states = [np.zeros((batch, units)) for _ in range(n_states)]
    outs = []
    for t in (range(steps - 1, -1, -1) if go_backwards else range(steps)):
        states = step(x[:, t, :], states)
        outs.append(states[0])
    return np.stack(outs, 1) if sequences else outs[-1]


def lstm_step(k, rk, b, rec):
    u = rk.shape[0]

    def step(xt, s):
        h, c = s
        z = xt @ k + h @ rk + b
        i, f, g, o = rec(z[:, :u]), rec(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), rec(z[:, 3 * u:])
        c = f * c + i * g
        return [o * np.tanh(c), c]
    return step


def gru_step(k, rk, b, rec, reset_after):
    u = rk.shape[0]

    def step(xt, s):
        h = s[0]
        bx, bh = (b[0], b[1]) if reset_after else (b, np.zeros(3 * u))
        xz = xt @ k + bx
        hz = h @ rk[:, :2 * u] + bh[:2 * u]
        z = rec(xz[:, :u] + hz[:, :u])
        r = rec(xz[:, u:2 * u] + hz[:, u:])
        if reset_after:
            hh = np.tanh(xz[:, 2 * u:] + r * (h @ rk[:, 2 * u:] + bh[2 * u:]))
        else:
            hh = np.tanh(xz[:, 2 * u:] + (r * h) @ rk[:, 2 * u:])
        return [z * h + (1 - z) * hh]
    return step


def simple_step(k, rk, b):
    return lambda xt, s: [np.tanh(xt @ k + s[0] @ rk + b)]


def rand(*shape, scale=0.5):
    return rng.uniform(-scale, scale, shape).astype(np.float32)


def strings(names):
    return np.array([n.encode() for n in names])


def glorot():
    return {"class_name": "GlorotUniform", "config": {"seed": None}}


# ---- Keras 1 ----
x1 = rand(2, 5, 3, scale=1.0)
lstm_k, lstm_rk, lstm_b = rand(3, 16), rand(4, 16), rand(16)          # Keras 2 layout, gates i, f, c, o
gru_k, gru_rk, gru_b = rand(4, 9), rand(3, 9), rand(9)                # z, r, h
rnn_k, rnn_rk, rnn_b = rand(3, 2), rand(2, 2), rand(2)
h = run(x1.astype(np.float64), lstm_step(lstm_k, lstm_rk, lstm_b, hard_sigmoid), 4, 2, sequences=True)
h = run(h, gru_step(gru_k, gru_rk, gru_b, hard_sigmoid, False), 3, 1, sequences=True)
y1 = run(h, simple_step(rnn_k, rnn_rk, rnn_b), 2, 1)
with h5py.File(os.path.join(out, "keras1_weights.h5"), "w") as f:
    f.attrs["layer_names"] = strings(["lstm_1", "gru_1", "simplernn_1"])
    g = f.create_group("lstm_1")
    names, arrays = [], []
    for gate, col in (("i", 0), ("c", 2), ("f", 1), ("o", 3)):  # Keras 1's order i, c, f, o
        cols = slice(col * 4, (col + 1) * 4)
        for kind, a in (("W", lstm_k[:, cols]), ("U", lstm_rk[:, cols]), ("b", lstm_b[cols])):
            names.append(f"lstm_1_{kind}_{gate}")
            arrays.append(a)
    g.attrs["weight_names"] = strings(names)
    for n, a in zip(names, arrays):
        g.create_dataset(n, data=a)
    g = f.create_group("gru_1")
    names, arrays = [], []
    for gate, col in (("z", 0), ("r", 1), ("h", 2)):
        cols = slice(col * 3, (col + 1) * 3)
        for kind, a in (("W", gru_k[:, cols]), ("U", gru_rk[:, cols]), ("b", gru_b[cols])):
            names.append(f"gru_1_{kind}_{gate}")
            arrays.append(a)
    g.attrs["weight_names"] = strings(names)
    for n, a in zip(names, arrays):
        g.create_dataset(n, data=a)
    g = f.create_group("simplernn_1")
    g.attrs["weight_names"] = strings(["simplernn_1_W", "simplernn_1_U", "simplernn_1_b"])
    for n, a in zip(["simplernn_1_W", "simplernn_1_U", "simplernn_1_b"], [rnn_k, rnn_rk, rnn_b]):
        g.create_dataset(n, data=a)


def keras1_rnn(cls, name, units, extra):
    cfg = {"name": name, "trainable": True, "output_dim": units, "init": "glorot_uniform", "inner_init": "orthogonal",
           "activation": "tanh", "W_regularizer": None, "U_regularizer": None, "b_regularizer": None,
           "dropout_W": 0.0, "dropout_U": 0.0, "return_sequences": True, "go_backwards": False, "stateful": False,
           "unroll": False, "consume_less": "cpu", "input_length": None}
    cfg.update(extra)
    return {"class_name": cls, "config": cfg}


k1 = {"class_name": "Sequential", "config": [
    keras1_rnn("LSTM", "lstm_1", 4, {"batch_input_shape": [None, 5, 3], "input_dtype": "float32", "input_dim": 3,
                                     "input_length": 5, "forget_bias_init": "one", "inner_activation": "hard_sigmoid"}),
    keras1_rnn("GRU", "gru_1", 3, {"input_dim": 4, "inner_activation": "hard_sigmoid"}),
    keras1_rnn("SimpleRNN", "simplernn_1", 2, {"input_dim": 3, "return_sequences": False}),
], "keras_version": "1.2.2", "backend": "theano"}
with open(os.path.join(out, "keras1.json"), "w") as f:
    json.dump(k1, f)
np.save(os.path.join(out, "keras1_x.npy"), x1)
np.save(os.path.join(out, "keras1_y.npy"), y1.astype(np.float32))


# ---- CuDNN (Keras 2.2.4) ----
def to_cudnn_input(k, gates):
    # The inverse of Keras's transform_kernels(..., transpose_input(from_cudnn=True)): per gate k.T.reshape(k.shape).
    return np.hstack([blk.T.reshape(blk.shape) for blk in np.hsplit(k, gates)])


def to_cudnn_recurrent(rk, gates):
    return np.hstack([blk.T for blk in np.hsplit(rk, gates)])


x2 = rand(3, 6, 5, scale=1.0)
ck, crk, cb = rand(5, 16), rand(4, 16), rand(16)
gk, grk, gb = rand(4, 9), rand(3, 9), rand(2, 9)
h = run(x2.astype(np.float64), lstm_step(ck, crk, cb, sigmoid), 4, 2, sequences=True)
y2 = run(h, gru_step(gk, grk, gb, sigmoid, True), 3, 1)
b_in = rand(16)
lstm_cudnn = [to_cudnn_input(ck, 4), to_cudnn_recurrent(crk, 4), np.concatenate([b_in, cb - b_in]).astype(np.float32)]
gru_cudnn = [to_cudnn_input(gk, 3), to_cudnn_recurrent(grk, 3), gb.reshape(-1)]
cudnn_layer = {"return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False,
               "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
               "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
               "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
               "recurrent_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
               "kernel_constraint": None, "recurrent_constraint": None, "bias_constraint": None}
c_lstm = dict(name="cu_dnnlstm_1", trainable=True, batch_input_shape=[None, 6, 5], dtype="float32", units=4, unit_forget_bias=True, **cudnn_layer)
c_lstm["return_sequences"] = True
c_gru = dict(name="cu_dnngru_1", trainable=True, units=3, **cudnn_layer)
cudnn_model = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
    {"class_name": "CuDNNLSTM", "config": c_lstm}, {"class_name": "CuDNNGRU", "config": c_gru}]}}


def write_full(path, model, layers, version):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = version.encode()
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(model).encode()
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = strings([n for n, _ in layers])
        g.attrs["keras_version"] = version.encode()
        g.attrs["backend"] = b"tensorflow"
        for name, weights in layers:
            lg = g.create_group(name)
            lg.attrs["weight_names"] = strings([n for n, _ in weights]) if weights else np.zeros((0,), np.float64)
            for n, a in weights:
                lg.create_dataset(n, data=a)


write_full(os.path.join(out, "cudnn.h5"), cudnn_model, [
    ("cu_dnnlstm_1", list(zip(["cu_dnnlstm_1/kernel:0", "cu_dnnlstm_1/recurrent_kernel:0", "cu_dnnlstm_1/bias:0"], lstm_cudnn))),
    ("cu_dnngru_1", list(zip(["cu_dnngru_1/kernel:0", "cu_dnngru_1/recurrent_kernel:0", "cu_dnngru_1/bias:0"], gru_cudnn)))], "2.2.4")
np.save(os.path.join(out, "cudnn_x.npy"), x2)
np.save(os.path.join(out, "cudnn_y.npy"), y2.astype(np.float32))


# ---- tf.keras 2.4 ----
def tf_rnn_config(name, units, extra):
    cfg = {"name": name, "trainable": True, "dtype": "float32", "return_sequences": False, "return_state": False,
           "go_backwards": False, "stateful": False, "unroll": False, "time_major": False, "units": units,
           "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True, "kernel_initializer": glorot(),
           "recurrent_initializer": {"class_name": "Orthogonal", "config": {"gain": 1.0, "seed": None}},
           "bias_initializer": {"class_name": "Zeros", "config": {}}}
    cfg.update(extra)
    for k in ("kernel_regularizer", "recurrent_regularizer", "bias_regularizer", "activity_regularizer",
              "kernel_constraint", "recurrent_constraint", "bias_constraint"):
        cfg[k] = None
    cfg.update({"dropout": 0.0, "recurrent_dropout": 0.0, "implementation": 2})
    return cfg


x3 = rand(2, 4, 3, scale=1.0)
fk, frk, fb = rand(3, 12), rand(3, 12), rand(12)
bk, brk, bb = rand(3, 12), rand(3, 12), rand(12)
tk, trk, tb = rand(6, 6), rand(2, 6), rand(2, 6)
xf = x3.astype(np.float64)
fwd = run(xf, lstm_step(fk, frk, fb, sigmoid), 3, 2, sequences=True)
bwd = run(xf, lstm_step(bk, brk, bb, sigmoid), 3, 2, go_backwards=True, sequences=True)[:, ::-1, :]
y3 = run(np.concatenate([fwd, bwd], -1), gru_step(tk, trk, tb, sigmoid, True), 2, 1)
lstm_cfg = tf_rnn_config("lstm", 3, {"return_sequences": True, "unit_forget_bias": True})
tf_model = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4, 3], "dtype": "float32", "sparse": False, "ragged": False, "name": "bidirectional_input"}},
    {"class_name": "Bidirectional", "config": {"name": "bidirectional", "trainable": True, "batch_input_shape": [None, 4, 3], "dtype": "float32",
                                               "layer": {"class_name": "LSTM", "config": lstm_cfg}, "merge_mode": "concat"}},
    {"class_name": "GRU", "config": tf_rnn_config("gru", 2, {"reset_after": True})}]},
    "keras_version": "2.4.0", "backend": "tensorflow"}
write_full(os.path.join(out, "tfkeras.h5"), tf_model, [
    ("bidirectional", list(zip(["bidirectional/forward_lstm/lstm_cell_1/kernel:0", "bidirectional/forward_lstm/lstm_cell_1/recurrent_kernel:0",
                                "bidirectional/forward_lstm/lstm_cell_1/bias:0", "bidirectional/backward_lstm/lstm_cell_2/kernel:0",
                                "bidirectional/backward_lstm/lstm_cell_2/recurrent_kernel:0", "bidirectional/backward_lstm/lstm_cell_2/bias:0"],
                               [fk, frk, fb, bk, brk, bb]))),
    ("gru", list(zip(["gru/gru_cell_2/kernel:0", "gru/gru_cell_2/recurrent_kernel:0", "gru/gru_cell_2/bias:0"], [tk, trk, tb])))], "2.4.0")
np.save(os.path.join(out, "tfkeras_x.npy"), x3)
np.save(os.path.join(out, "tfkeras_y.npy"), y3.astype(np.float32))
print("ok")
