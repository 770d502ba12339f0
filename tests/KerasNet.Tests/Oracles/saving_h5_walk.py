"""Independent reader for KerasNet's saved files: walks them with h5py the way Keras's loaders do.

usage: saving_h5_walk.py FILE {legacy|keras3}
Prints JSON: root attributes, the model/training config, and for every layer (in layer_names order for legacy files,
in store order for Keras 3 files, nested models' layers as "<model key>/layers/<key>") its weight names, shapes, dtypes and values; then the optimizer weights.
Fails (non-zero exit) when the file breaks what Keras's loader relies on.
"""
import json
import sys

import h5py
import numpy as np


def text(v):
    # h5py 3 returns vlen strings as str and fixed-length ones as bytes; Keras's loaders accept both.
    return v.decode("utf8") if hasattr(v, "decode") else str(v)


def load_attributes(group, name):
    # keras.saving.hdf5_format.load_attributes_from_hdf5_group, including the split name0, name1, ... form.
    if name in group.attrs:
        return [text(n) for n in group.attrs[name]]
    data, i = [], 0
    while "%s%d" % (name, i) in group.attrs:
        data.extend(text(n) for n in group.attrs["%s%d" % (name, i)])
        i += 1
    return data


def array(ds):
    a = np.asarray(ds)
    return {"shape": list(a.shape), "dtype": str(a.dtype), "values": [repr(float(x)) for x in a.reshape(-1)]}


def legacy(f):
    out = {"attrs": {}}
    for k in ("keras_version", "backend", "model_config", "training_config"):
        if k in f.attrs:
            out["attrs"][k] = text(f.attrs[k])
    if "model_config" in out["attrs"]:
        cfg = json.loads(out["attrs"]["model_config"])
        out["model_config"] = cfg
        if "training_config" in out["attrs"]:
            out["training_config"] = json.loads(out["attrs"]["training_config"])
        g = f["model_weights"]
    else:
        g = f
    out["weights_keras_version"] = text(g.attrs["keras_version"])
    out["weights_backend"] = text(g.attrs["backend"])
    out["layers"] = []
    for name in load_attributes(g, "layer_names"):
        lg = g[name]
        names = load_attributes(lg, "weight_names")
        if len(names) == 0:
            # Keras writes an empty float64 array for layers without weights.
            wn = lg.attrs["weight_names"]
            assert wn.dtype == np.float64 and wn.shape == (0,), (name, wn.dtype, wn.shape)
        out["layers"].append({"name": name, "weight_names": names, "weights": [array(lg[n]) for n in names]})
    if "optimizer_weights" in f:
        og = f["optimizer_weights"]
        names = load_attributes(og, "weight_names")
        out["optimizer"] = [dict(name=n, **array(og[n])) for n in names]
    return out


def keras3(f):
    out = {"layers": [], "model_vars_name": text(f["vars"].attrs["name"])}

    def walk(container, prefix):
        # saving_lib._save_state: every layer has a vars group; a nested model also has its own layers container.
        for key in container:
            lg = container[key]
            vg = lg["vars"]
            n = len(vg)
            assert sorted(vg.keys(), key=int) == [str(i) for i in range(n)], list(vg.keys())
            out["layers"].append({"key": prefix + key, "name": text(vg.attrs["name"]), "weights": [array(vg[str(i)]) for i in range(n)]})
            if "layers" in lg:
                walk(lg["layers"], prefix + key + "/layers/")

    walk(f["layers"], "")
    if "optimizer" in f:
        vg = f["optimizer"]["vars"]
        out["optimizer_name"] = text(vg.attrs["name"])
        out["optimizer"] = [array(vg[str(i)]) for i in range(len(vg))]
    return out


def main():
    path, kind = sys.argv[1], sys.argv[2]
    extra = {}
    source = path
    if path.endswith(".keras"):
        # A .keras archive: Keras 3 reads config.json and opens model.weights.h5 from memory.
        import io
        import zipfile
        with zipfile.ZipFile(path) as z:
            extra["entries"] = [(i.filename, i.compress_type) for i in z.infolist()]
            extra["config"] = json.loads(z.read("config.json"))
            extra["metadata"] = json.loads(z.read("metadata.json"))
            source = io.BytesIO(z.read("model.weights.h5"))
    with h5py.File(source, "r") as f:
        result = legacy(f) if kind == "legacy" else keras3(f)
    result.update(extra)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
