"""Independent reader: assigns the weights of a legacy Keras .h5 to the model's layers as tf.keras 2.4's loader does.

usage: saving_h5_nested_load.py FILE
The architecture comes from the file's model_config attribute. This follows
tensorflow/python/keras/saving/hdf5_format.py: load_weights_from_hdf5_group matches the groups of layer_names that
have weights, in order, with the model's top-level layers that have weights; preprocess_weights_for_loading's
convert_nested_model hands a nested model's list (its trainable weights, then its non-trainable ones) to its layers,
each taking its share of both parts. Weight counts per layer come from the config (Dense/Conv2D: kernel and an
optional bias), trainable flags from each layer's "trainable" (a nested model's flag freezes all of its layers).
Prints JSON {leaf layer name: [{"shape", "dtype", "values"}, ...]} for every layer that receives weights.
"""
import json
import sys

import h5py
import numpy as np

MODELS = ("Sequential", "Functional", "Model")


def text(v):
    return v.decode("utf8") if hasattr(v, "decode") else str(v)


def names_attr(group, name):
    if name in group.attrs:
        return [text(n) for n in group.attrs[name]]
    data, i = [], 0
    while "%s%d" % (name, i) in group.attrs:
        data.extend(text(n) for n in group.attrs["%s%d" % (name, i)])
        i += 1
    return data


def sublayers(entry):
    """model.layers of a model config entry (a Sequential's InputLayer is not one of its layers)."""
    cfg = entry["config"]
    layers = cfg if isinstance(cfg, list) else cfg["layers"]
    if entry["class_name"] == "Sequential":
        layers = [l for l in layers if l["class_name"] != "InputLayer"]
    return layers


def name_of(entry):
    return entry.get("name") or entry["config"]["name"]


class Leaf:
    def __init__(self, entry, frozen):
        self.name = name_of(entry)
        c = entry["config"]
        count = 0 if entry["class_name"] not in ("Dense", "Conv2D") else (2 if c.get("use_bias", True) else 1)
        self.trainable = 0 if frozen or not c.get("trainable", True) else count
        self.non_trainable = count - self.trainable


def node(entry, frozen=False):
    """(leaf, None) for a plain layer or (None, [children]) for a nested model."""
    if entry["class_name"] in MODELS:
        if isinstance(entry["config"], dict) and entry["config"].get("trainable", True) is False:
            frozen = True
        return None, [node(l, frozen) for l in sublayers(entry)]
    return Leaf(entry, frozen), None


def counts(n):
    leaf, children = n
    if leaf:
        return leaf.trainable, leaf.non_trainable
    t = nt = 0
    for c in children:
        a, b = counts(c)
        t, nt = t + a, nt + b
    return t, nt


def assign(n, weights, out):
    """convert_nested_model: split (trainable + non_trainable) over the children."""
    leaf, children = n
    if leaf:
        if weights:
            out[leaf.name] = weights
        return
    t_all, _ = counts(n)
    trainable, non_trainable = weights[:t_all], weights[t_all:]
    for c in children:
        t, nt = counts(c)
        if t + nt == 0:
            continue
        assign(c, trainable[:t] + non_trainable[:nt], out)
        trainable, non_trainable = trainable[t:], non_trainable[nt:]


def array(ds):
    a = np.asarray(ds)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "values": [repr(float(x)) for x in a.reshape(-1)]}


def main():
    with h5py.File(sys.argv[1], "r") as f:
        config = json.loads(text(f.attrs["model_config"]))
        g = f["model_weights"]
        top = [node(l) for l in sublayers(config)]
        with_weights = [n for n in top if sum(counts(n)) > 0]
        groups = []
        for name in names_attr(g, "layer_names"):
            wn = names_attr(g[name], "weight_names")
            if wn:
                groups.append([array(g[name][w]) for w in wn])
        assert len(groups) == len(with_weights), (len(groups), len(with_weights))
        out = {}
        for n, weights in zip(with_weights, groups):
            assert len(weights) == sum(counts(n)), (len(weights), counts(n))
            assign(n, weights, out)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
