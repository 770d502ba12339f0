"""Rewrites a legacy Keras weights file in the storage variants other Keras versions produce.

usage: saving_variants.py IN.h5 OUT.h5
OUT has: layer_names split into layer_names0..2 (as Keras does past HDF5_OBJECT_HEADER_LIMIT) stored as vlen
UTF-8; weight_names in Keras 3's legacy form (variable paths without ':0', 'sequential/conv2d/kernel') as vlen
ASCII; empty float64 weight_names for weightless layers; keras_version 3.5.0; a top_level_model_weights group.
"""
import sys

import h5py
import numpy as np


def text(v):
    return v.decode("utf8") if hasattr(v, "decode") else str(v)


src, dst = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "w")
names = [text(n) for n in src.attrs["layer_names"]]
for i, chunk in enumerate(np.array_split(np.array(names, dtype=object), 3)):
    dst.attrs.create("layer_names%d" % i, list(chunk), dtype=h5py.string_dtype("utf-8"))
dst.attrs["keras_version"] = "3.5.0"
dst.attrs["backend"] = "tensorflow"
for layer in names:
    g = dst.create_group(layer)
    old = [text(n) for n in src[layer].attrs["weight_names"]]
    new = ["sequential/" + n[:-2] if n.endswith(":0") else n for n in old]
    if new:
        g.attrs.create("weight_names", new, dtype=h5py.string_dtype("ascii"))
    else:
        g.attrs["weight_names"] = np.zeros((0,), np.float64)
    for o, n in zip(old, new):
        g.create_dataset(n, data=src[layer][o][()])
dst.create_group("top_level_model_weights").attrs["weight_names"] = np.zeros((0,), np.float64)
dst.close()
