"""numpy oracle for keras.utils.to_categorical and keras.utils.normalize: tf.keras 2.4's np_utils, whose bodies are
these numpy calls (Keras itself is not installed).

argv[1]: JSON {"fn": "to_categorical", "y": nested list, "dtype": "int64"|"float32", "num_classes": int|null}
      or {"fn": "normalize", "x": nested list, "dtype": "float32"|"float64", "axis": int, "order": number|"inf"|"-inf"}
prints JSON {"shape": [...], "dtype": "...", "values": flat list (float repr strings)}
"""
import json, sys
import numpy as np

spec = json.loads(sys.argv[1])
if spec["fn"] == "to_categorical":
    y = np.array(spec["y"], dtype=spec["dtype"])
    num_classes = spec["num_classes"]
    # np_utils.to_categorical (tf.keras 2.4)
    y = np.array(y, dtype='int')
    input_shape = y.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = tuple(input_shape[:-1])
    y = y.ravel()
    if not num_classes:
        num_classes = np.max(y) + 1
    n = y.shape[0]
    categorical = np.zeros((n, num_classes), dtype='float32')
    categorical[np.arange(n), y] = 1
    output_shape = input_shape + (num_classes,)
    r = np.reshape(categorical, output_shape)
else:
    x = np.array(spec["x"], dtype=spec["dtype"])
    order = spec["order"]
    order = float(order) if isinstance(order, str) else order
    # np_utils.normalize (tf.keras 2.4)
    l2 = np.atleast_1d(np.linalg.norm(x, order, spec["axis"]))
    l2[l2 == 0] = 1
    r = x / np.expand_dims(l2, spec["axis"])
print(json.dumps({"shape": list(r.shape), "dtype": str(r.dtype), "values": [repr(float(v)) for v in r.ravel()]}))
