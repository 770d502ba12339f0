"""tf.image.resize (antialias=False) of one 8-bit image, by the numpy float32 transcriptions of TensorFlow's kernels
(tf_resize_area.py, tf_resize_scale_translate.py; Keras/TensorFlow are not installed).

Usage: tf_resize_oracle.py JSON   JSON {"method", "shape": [h, w, c], "out": [oh, ow], "box": [y, x, bh, bw], "pixels"}
prints the (oh, ow, c) float32 result as a flat JSON list.
"""
import json, sys
import numpy as np
from tf_resize_area import resize_area
from tf_resize_scale_translate import resize_scale_translate


def resize(img, oh, ow, method):
    if method == 'area':
        return resize_area(img, oh, ow)
    return resize_scale_translate(img, oh, ow, method)


if __name__ == '__main__':
    a = json.loads(sys.argv[1])
    h, w, c = a['shape']
    by, bx, bh, bw = a['box']
    img = np.array(a['pixels'], np.uint8).reshape(h, w, c)[by:by + bh, bx:bx + bw].astype(np.float32)
    out = resize(img, a['out'][0], a['out'][1], a['method'])
    sys.stdout.write(json.dumps(out.ravel().astype(float).tolist()))
