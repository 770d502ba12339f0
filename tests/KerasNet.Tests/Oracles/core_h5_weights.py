"""Reads the weight arrays of a Keras model file with h5py, in model layer order, for tests that rebuild the model
by hand and set the weights through Sequential.SetWeights (an independent path from KerasNet's own loaders).

usage: core_h5_weights.py MODEL_FILE OUT_DIR [CONFIG_KERAS]
  MODEL_FILE: legacy HDF5 (model.save, or save_weights with the layer groups at the root), a Keras 3 .keras zip,
              or a Keras 3 .weights.h5 (then CONFIG_KERAS names the .keras whose config.json gives the layer order).
  Writes OUT_DIR/0.npy, 1.npy, ... (float32, Keras layouts) and prints how many.
"""
import io
import json
import sys
import zipfile

import h5py
import numpy as np


def text(v):
    return v.decode("utf-8") if isinstance(v, (bytes, np.bytes_)) else str(v)


def legacy(f):
    root = f["model_weights"] if "model_weights" in f else f
    out = []
    for layer in root.attrs["layer_names"]:
        g = root[text(layer)]
        for wn in g.attrs.get("weight_names", []):
            out.append(np.asarray(g[text(wn)], dtype=np.float32))
    return out


def keras3(f, config):
    layers = config["config"]["layers"]
    by_name = {}
    for key, g in f["layers"].items():
        name = text(g["vars"].attrs["name"]) if "vars" in g and "name" in g["vars"].attrs else key
        by_name[name] = g
    out = []
    for layer in layers:
        if layer["class_name"] == "InputLayer":
            continue
        g = by_name[layer["config"]["name"]]
        for k in sorted(g["vars"].keys(), key=int):
            out.append(np.asarray(g["vars"][k], dtype=np.float32))
    return out


def main():
    path, out_dir = sys.argv[1], sys.argv[2]
    if path.endswith(".keras"):
        z = zipfile.ZipFile(path)
        config = json.loads(z.read("config.json"))
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
            arrays = keras3(f, config)
    elif path.endswith(".weights.h5"):
        config = json.loads(zipfile.ZipFile(sys.argv[3]).read("config.json"))
        with h5py.File(path, "r") as f:
            arrays = keras3(f, config)
    else:
        with h5py.File(path, "r") as f:
            arrays = legacy(f)
    for i, a in enumerate(arrays):
        np.save(f"{out_dir}/{i}.npy", np.ascontiguousarray(a))
    print(len(arrays))


if __name__ == "__main__":
    main()
