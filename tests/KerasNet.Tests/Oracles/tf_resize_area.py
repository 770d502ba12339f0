"""numpy float32 transcription of TensorFlow's ResizeArea (tensorflow/core/kernels/image/resize_area_op.cc), as
tf.image.resize(method="area") calls it: align_corners=False, scale = in / out per axis (float32). Output cell x
covers [x * scale, (x + 1) * scale); each source pixel it touches weighs its overlap (clamped indices); per source row
the weighted pixels are summed left to right, those sums times the row weights are added from 0 top to bottom, and the
total is multiplied by 1 / (scale_y * scale_x). Every operation is a float32 operation in TensorFlow's order.
"""
import math
import numpy as np

f32 = np.float32


def _overlap(v, lo, hi, scale):
    # C++ compares and subtracts the int64 index converted to float.
    fv, fv1 = f32(v), f32(v + 1)
    if fv < lo:
        return scale if fv1 > hi else f32(fv1 - lo)
    return f32(hi - fv) if fv1 > hi else f32(1.0)


def _cell(i, scale):
    lo, hi = f32(f32(i) * scale), f32(f32(i + 1) * scale)
    return lo, hi, int(math.floor(lo)), int(math.ceil(hi))


def resize_area(img, oh, ow):
    """img: (h, w, c) float32 holding the 8-bit values; returns (oh, ow, c) float32."""
    img = np.asarray(img, f32)
    h, w, c = img.shape
    hs, ws = f32(h) / f32(oh), f32(w) / f32(ow)
    norm = f32(1.0 / float(f32(hs * ws)))
    bound_y = lambda v: min(h - 1, max(0, v))
    bound_x = lambda v: min(w - 1, max(0, v))
    xs = []
    for x in range(ow):
        lo, hi, st, en = _cell(x, ws)
        xs.append((st, en, _overlap(st, lo, hi, ws), _overlap(en - 1, lo, hi, ws)))
    out = np.zeros((oh, ow, c), f32)
    for y in range(oh):
        lo, hi, ys, ye = _cell(y, hs)
        rows = [(img[bound_y(i)], _overlap(i, lo, hi, hs)) for i in range(ys, ye)]
        for x in range(ow):
            st, en, ss, es = xs[x]
            total = np.zeros(c, f32)
            for row, sy in rows:
                sum_y = row[bound_x(st)] * ss
                if st + 1 != en:
                    for xx in range(st + 1, en - 1):
                        sum_y = sum_y + row[bound_x(xx)]
                    sum_y = sum_y + row[bound_x(en - 1)] * es
                total = total + sum_y * sy
            out[y, x] = total * norm
    return out
