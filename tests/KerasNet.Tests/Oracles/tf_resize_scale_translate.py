"""numpy float32 transcription of TensorFlow's ScaleAndTranslate (tensorflow/core/kernels/image/
scale_and_translate_op.cc with sampling_kernels.h), as tf.image.resize calls it for "lanczos3", "lanczos5",
"gaussian" and "mitchellcubic": scale = out / in (float32), translation 0, antialias=False (the kernel is never
widened). Spans: sample centre (x + 0.5) * (1 / scale); span ceil(centre - r - 0.5) .. floor(centre + r - 0.5)
clamped to the image; weights kernel(|src + 0.5 - centre|) divided by their float32 sum (left at 0 when the sum is
below 1000 * FLT_MIN). Rows are gathered first (over the widest span, zero-padded, as TensorFlow loops), then columns.
sinf is taken as the float32 rounding of the double sine; the Gaussian's exp is a double exp, as in C++.
"""
import math
import numpy as np

f32 = np.float32
PI = f32(3.14159265359)
FLT_MIN = f32(np.finfo(np.float32).tiny)


def lanczos(radius):
    r = f32(radius)

    def k(x):
        x = f32(abs(x))
        if x > r:
            return f32(0)
        if float(x) <= 1e-3:  # the float promoted to double against the double literal
            return f32(1)
        a = f32(PI * x)
        sa = f32(math.sin(float(a)))
        sb = f32(math.sin(float(f32(a / r))))
        return f32(f32(f32(r * sa) * sb) / f32(f32(f32(PI * PI) * x) * x))
    return r, k


def gaussian():
    r = f32(1.5)
    sigma = f32(r / f32(3.0))

    def k(x):
        x = f32(abs(x))
        if x >= r:
            return f32(0)
        return f32(math.exp(float(f32(-x * x)) / (2.0 * float(sigma) * float(sigma))))
    return r, k


def mitchellcubic():
    a1, b1, c1 = f32(-7.0) / f32(18.0), f32(10.0) / f32(3.0), f32(16.0) / f32(9.0)
    a0, c0 = f32(7.0) / f32(6.0), f32(8.0) / f32(9.0)
    one, two = f32(1.0), f32(2.0)

    def k(x):
        x = f32(abs(x))
        if x >= two:
            return f32(0)
        if x >= one:
            return f32(f32(f32(f32(f32(a1 * x) + two) * x) - b1) * x) + c1
        return f32(f32(f32(f32(a0 * x) - two) * x) * x) + c0
    return f32(2.0), k


KERNELS = {'lanczos3': lambda: lanczos(3), 'lanczos5': lambda: lanczos(5), 'gaussian': gaussian, 'mitchellcubic': mitchellcubic}


def spans(kernel, n_in, n_out):
    radius, k = kernel
    scale = f32(n_out) / f32(n_in)
    inv = f32(1.0 / float(scale))
    inv_t = f32(-inv * f32(0.0))
    size = min(2 * int(math.ceil(radius)) + 1, n_in)
    res = []
    for x in range(n_out):
        s = f32(f32(f32(x) + f32(0.5)) * inv) + inv_t
        if s < 0 or s > n_in:
            res.append((0, [f32(0)] * size))
            continue
        start = int(math.ceil(f32(f32(s - radius) - f32(0.5))))
        end = int(math.floor(f32(f32(s + radius) - f32(0.5))))
        start = min(max(start, 0), n_in - 1)
        end = min(max(end, 0), n_in - 1) + 1
        ws, total = [], f32(0)
        for src in range(start, end):
            w = k(f32(abs(f32(f32(f32(src) + f32(0.5)) - s) * f32(1.0))))
            total = f32(total + w)
            ws.append(w)
        if abs(total) >= f32(f32(1000.0) * FLT_MIN):
            invt = f32(f32(1.0) / total)
            ws = [f32(w * invt) for w in ws]
        else:
            ws = [f32(0)] * len(ws)
        res.append((start, ws + [f32(0)] * (size - len(ws))))
    return res


def resize_scale_translate(img, oh, ow, method):
    """img: (h, w, c) float32 holding the 8-bit values; returns (oh, ow, c) float32."""
    img = np.asarray(img, f32)
    h, w, c = img.shape
    kernel = KERNELS[method]()
    rows, cols = spans(kernel, h, oh), spans(kernel, w, ow)
    mid = np.zeros((oh, w, c), f32)
    for y, (start, ws) in enumerate(rows):
        acc = np.zeros((w, c), f32)
        for j in range(min(start + len(ws), h) - start):
            acc = acc + ws[j] * img[start + j]
        mid[y] = acc
    out = np.zeros((oh, ow, c), f32)
    for x, (start, ws) in enumerate(cols):
        acc = np.zeros((oh, c), f32)
        for j in range(min(start + len(ws), w) - start):
            acc = acc + ws[j] * mid[:, start + j]
        out[:, x] = acc
    return out
