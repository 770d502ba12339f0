"""Reads what a sample (samples/text_classifier, samples/forecaster) saved, with h5py/numpy only (no KerasNet code).

usage: samples_read.py OUT_DIR NAME
OUT_DIR holds NAME.h5 (tf.keras 2.4 legacy HDF5), NAME.keras (Keras 3 archive), x_sample.npy and predictions.npy
(the sample's own inputs and C# predictions). Checks, failing with a message on the first problem:
* NAME.h5: keras_version/backend attributes, a Sequential model_config, and for every layer of the config its
  model_weights group with Keras's weight names (tf.keras 2.4: embedding/embeddings:0, lstm/lstm_cell/kernel:0,
  lstm_1/lstm_cell_1/recurrent_kernel:0, dense/bias:0, ...) in Keras's order and the shapes that the layer's config
  implies (Embedding (input_dim, output_dim); LSTM kernel (features, 4 units), recurrent_kernel (units, 4 units),
  bias (4 units,); Dense (in, units), (units,));
* NAME.keras: a zip with config.json (a Keras 3 Sequential naming the same layers) and model.weights.h5 whose
  layers/NAME/vars/i (a recurrent layer's layers/NAME/cell/vars/i) hold the same arrays as the .h5.
Then runs the model's forward pass in float64 numpy from the .h5 weights (Embedding with mask_zero, Keras's LSTM
gates i, f, c, o with sigmoid/tanh, masked steps carrying the state over, return_sequences, Dense) on x_sample.npy.
Writes OUT_DIR/oracle/model.json (the .h5's model_config) and OUT_DIR/oracle/w{i}.npy (every weight in Keras's
model.weights order) for tfjs, and prints one JSON line: max_diff (numpy vs predictions.npy), unmasked_diff (the
same pass with the mask ignored, for a text model), weights (names and shapes).
"""
import io
import json
import os
import re
import sys
import zipfile

import h5py
import numpy as np

out, name = sys.argv[1], sys.argv[2]


def fail(msg):
    print(f"{name}: {msg}", file=sys.stderr)
    sys.exit(1)


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


ACT = {"linear": lambda x: x, None: lambda x: x, "sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda x: np.maximum(x, 0)}

# ---- the legacy .h5 ----
h5 = h5py.File(os.path.join(out, name + ".h5"), "r")
if text(h5.attrs.get("keras_version", b"")) == "" or text(h5.attrs.get("backend", b"")) != "tensorflow":
    fail("the .h5 lacks keras_version/backend attributes")
model_config = json.loads(text(h5.attrs["model_config"]))
if model_config["class_name"] != "Sequential":
    fail(f"model_config is a {model_config['class_name']}, expected Sequential")
layers = [l for l in model_config["config"]["layers"] if l["class_name"] != "InputLayer"]
mw = h5["model_weights"]
if [text(n) for n in mw.attrs["layer_names"]] != [l["config"]["name"] for l in layers]:
    fail(f"layer_names {list(mw.attrs['layer_names'])} differ from the config's layers")


def expected_weights(layer, in_shape):
    """[(name regex, shape)] as tf.keras 2.4 names and shapes them, and the layer's output shape."""
    c, lname = layer["config"], re.escape(layer["config"]["name"])
    kind = layer["class_name"]
    if kind == "Embedding":
        return [(f"{lname}/embeddings:0", (c["input_dim"], c["output_dim"]))], in_shape + (c["output_dim"],)
    if kind == "LSTM":
        u, feat = c["units"], in_shape[-1]
        cell = f"{lname}/lstm_cell(_[0-9]+)?"
        w = [(f"{cell}/kernel:0", (feat, 4 * u)), (f"{cell}/recurrent_kernel:0", (u, 4 * u)), (f"{cell}/bias:0", (4 * u,))]
        return w, (in_shape[0], u) if c["return_sequences"] else (u,)
    if kind == "Dense":
        return [(f"{lname}/kernel:0", (in_shape[-1], c["units"])), (f"{lname}/bias:0", (c["units"],))], in_shape[:-1] + (c["units"],)
    fail(f"unexpected layer class {kind}")


first = model_config["config"]["layers"][0]["config"]
shape = tuple(first["batch_input_shape"][1:])
weights = {}   # layer name -> [arrays] from the .h5
report = []
for layer in layers:
    lname = layer["config"]["name"]
    expected, shape = expected_weights(layer, shape)
    g = mw[lname]
    names = [text(n) for n in g.attrs["weight_names"]]
    if len(names) != len(expected):
        fail(f"layer {lname}: weight_names {names}, expected {len(expected)} weights")
    arrays = []
    for n, (pattern, shp) in zip(names, expected):
        if not re.fullmatch(pattern, n):
            fail(f"layer {lname}: weight name {n!r} is not Keras's ({pattern})")
        a = g[n][()]
        if a.shape != shp or a.dtype != np.float32:
            fail(f"layer {lname}: {n} has shape {a.shape} {a.dtype}, expected {shp} float32")
        arrays.append(a)
        report.append({"name": n, "shape": list(a.shape)})
    weights[lname] = arrays

# ---- the Keras 3 archive ----
with zipfile.ZipFile(os.path.join(out, name + ".keras")) as z:
    config3 = json.loads(z.read("config.json"))
    blob = z.read("model.weights.h5")
if config3["class_name"] != "Sequential" or [l["config"]["name"] for l in config3["config"]["layers"] if l["class_name"] != "InputLayer"] != list(weights):
    fail("the .keras config.json does not list the same layers")
with h5py.File(io.BytesIO(blob), "r") as w3:
    for layer in layers:
        lname = layer["config"]["name"]
        group = w3["layers"][lname]
        if layer["class_name"] == "LSTM":
            if len(group["vars"]) != 0:
                fail(f".keras layer {lname}: its weights belong in cell/vars, found {list(group['vars'])} in vars")
            group = group["cell"]
        stored = [group["vars"][str(i)][()] for i in range(len(group["vars"]))]
        if len(stored) != len(weights[lname]) or any(a.shape != b.shape or not np.array_equal(a, b) for a, b in zip(stored, weights[lname])):
            fail(f".keras layer {lname}: model.weights.h5 does not hold the .h5's arrays")


# ---- numpy forward pass (float64) ----
def lstm(x, mask, k, rk, b, c):
    u = rk.shape[0]
    rec, act = ACT[c.get("recurrent_activation", "sigmoid")], ACT[c.get("activation", "tanh")]
    n, steps, _ = x.shape
    h, cell = np.zeros((n, u)), np.zeros((n, u))
    seq = []
    for t in range(steps):
        z = x[:, t] @ k + h @ rk + b
        i, f, g, o = rec(z[:, :u]), rec(z[:, u:2 * u]), act(z[:, 2 * u:3 * u]), rec(z[:, 3 * u:])
        c_new = f * cell + i * g
        h_new = o * act(c_new)
        keep = mask[:, t:t + 1]  # a masked step carries the previous state (and output) over, as Keras's rnn()
        h, cell = np.where(keep, h_new, h), np.where(keep, c_new, cell)
        seq.append(h)
    return np.stack(seq, 1) if c["return_sequences"] else h


def forward(x, use_mask=True):
    mask = np.ones(x.shape[:2], bool) if x.ndim >= 2 else None
    for layer in layers:
        c, w = layer["config"], [a.astype(np.float64) for a in weights[layer["config"]["name"]]]
        kind = layer["class_name"]
        if kind == "Embedding":
            ids = x.astype(np.int64)
            if c.get("mask_zero") and use_mask:
                mask = ids != 0
            x = w[0][ids]
        elif kind == "LSTM":
            x = lstm(x, mask, w[0], w[1], w[2], c)
            if not c["return_sequences"]:
                mask = None
        elif kind == "Dense":
            x = ACT[c.get("activation")](x @ w[0] + w[1])
    return x


x = np.load(os.path.join(out, "x_sample.npy"))
predictions = np.load(os.path.join(out, "predictions.npy")).astype(np.float64)
y = forward(x.astype(np.float64))
if y.shape != predictions.shape:
    fail(f"numpy output shape {y.shape} differs from predictions.npy {predictions.shape}")
result = {"max_diff": float(np.abs(y - predictions).max()), "weights": report, "samples": int(x.shape[0])}
if any(l["class_name"] == "Embedding" and l["config"].get("mask_zero") for l in layers):
    result["unmasked_diff"] = float(np.abs(forward(x.astype(np.float64), use_mask=False) - predictions).max())

oracle = os.path.join(out, "oracle")
os.makedirs(oracle, exist_ok=True)
with open(os.path.join(oracle, "model.json"), "w") as f:
    json.dump(model_config, f)
i = 0
for layer in layers:
    for a in weights[layer["config"]["name"]]:
        np.save(os.path.join(oracle, f"w{i}.npy"), a)
        i += 1
print(json.dumps(result))
