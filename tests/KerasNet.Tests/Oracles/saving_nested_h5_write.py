"""Independent writer: a legacy full-model .h5 laid out as tf.keras 2.x's save_model_to_hdf5 writes it with h5py.

usage: saving_nested_h5_write.py PAYLOAD.json OUT.h5
PAYLOAD: {"model_config": "<JSON text>", "keras_version": "2.2.4-tf",
          "weights": {"<leaf layer name>": [{"shape": [...], "values": [...]}, ...]}}
Follows hdf5_format.save_weights_to_hdf5_group: one group per top-level layer of model.layers (a Sequential's
InputLayer is not one of them), @layer_names and @weight_names as numpy 'S' arrays (fixed-length ASCII, as h5py 2.x
wrote them), a weightless layer's weight_names an empty float64 array. A nested model's group holds all of its
layers' weights, trainable ones first (a layer is frozen by its own or an enclosing model's "trainable": false),
named by tf.keras's variable names "<layer>/kernel:0" (a '/' in a name makes nested groups).
"""
import json
import sys

import h5py
import numpy as np

MODELS = ("Sequential", "Functional", "Model")


def sublayers(entry):
    cfg = entry["config"]
    layers = cfg if isinstance(cfg, list) else cfg["layers"]
    if entry["class_name"] == "Sequential":
        layers = [l for l in layers if l["class_name"] != "InputLayer"]
    return layers


def leaf_weights(entry, weights, frozen=False):
    """[(trainable?, name, array)] of every weight under a layer entry, in layer order."""
    cfg = entry["config"]
    if isinstance(cfg, dict) and cfg.get("trainable", True) is False:
        frozen = True
    if entry["class_name"] in MODELS:
        out = []
        for l in sublayers(entry):
            out.extend(leaf_weights(l, weights, frozen))
        return out
    name = entry.get("name") or cfg["name"]
    ws = weights.get(name, [])
    # Entries may name themselves ("gamma", "moving_mean", ...) and say they are non-trainable (moving statistics);
    # unnamed ones are a Dense/Conv kernel and bias.
    return [(not frozen and w.get("trainable", True), "%s/%s:0" % (name, w.get("name") or k), w["array"])
            for k, w in zip(["kernel", "bias"] + [None] * len(ws), ws)]


def main():
    payload = json.load(open(sys.argv[1]))
    config = json.loads(payload["model_config"])
    weights = {k: [dict(w, array=np.asarray(w["values"], dtype="<f4").reshape(w["shape"])) for w in v] for k, v in payload["weights"].items()}
    with h5py.File(sys.argv[2], "w") as f:
        f.attrs["keras_version"] = payload["keras_version"].encode("utf8")
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = payload["model_config"].encode("utf8")
        g = f.create_group("model_weights")
        top = sublayers(config)
        g.attrs["layer_names"] = np.array([(l.get("name") or l["config"]["name"]).encode("utf8") for l in top])
        g.attrs["backend"] = b"tensorflow"
        g.attrs["keras_version"] = payload["keras_version"].encode("utf8")
        for l in top:
            lg = g.create_group(l.get("name") or l["config"]["name"])
            ws = leaf_weights(l, weights)
            ordered = [w for w in ws if w[0]] + [w for w in ws if not w[0]]
            if ordered:
                lg.attrs["weight_names"] = np.array([n.encode("utf8") for _, n, _ in ordered])
            else:
                lg.attrs["weight_names"] = np.zeros((0,), dtype="float64")
            for _, n, w in ordered:
                lg.create_dataset(n, data=w)


if __name__ == "__main__":
    main()
