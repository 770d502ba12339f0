#!/usr/bin/python3
"""Oracle for KerasNet's preprocessing layers (Rescaling, Resizing, CenterCrop, Normalization and the random
augmentation layers' transforms).

usage: prep_layers.py DIR
DIR/cases.json is a list of case specs; case i reads DIR/{i}_<name>.npy and writes DIR/{i}_<output>.npy:
  resize       {height, width, interpolation, crop}  x, r -> y_np, y_torch, dx_torch
               TF2 tf.image.resize transcribed in float32 (half-pixel bilinear / nearest) after Keras's smart_resize crop
               window when crop is true; torch F.interpolate(bilinear, align_corners=False, antialias=False) or
               'nearest-exact' on the same window, with autograd for the input gradient of L = sum(y * r).
  center_crop  {height, width}  x, r -> y_np, dx_np (a slice when the image is large enough, else smart_resize
               bilinear through torch: y_torch, dx_torch)
  rescale      {scale, offset}  x, r -> y_np, dx_np
  normalize    {axis, invert, mean, variance}  x, r [, adapt] -> y_np, dx_np [, mean_np, var_np, count_np]
               Keras's Normalization: kept axes (counted with the batch axis), (x - mean) / max(sqrt(var), 1e-7);
               adapt: numpy mean and (biased) var over the other axes, count = values per statistic.
  affine       {fill_mode, interpolation, fill_value}  x, t, r -> y_np, dx_np [, y_scipy]
               TF's ImageProjectiveTransformV3 transcribed scalar by scalar in float32 (MapCoordinate, nearest with
               std::round, bilinear with fill reads); dx_np = M^T r for the same taps. y_scipy:
               scipy.ndimage.affine_transform(order=1) for the modes that coincide with TF's (reflect -> 'reflect',
               constant -> 'grid-constant', nearest -> 'nearest').
  contrast     {low, high}  x, f, r -> y_torch, dx_torch (torch autograd of clip((x - mean_hw) * f + mean_hw))
  flip         {}  x, p -> y_np (p[b] = [left-right, top-bottom] flags)
"""
import json
import os
import sys

import numpy as np
import scipy.ndimage
import torch
import torch.nn.functional as F

f32 = np.float32


def smart_window(h, w, th, tw):
    """Keras smart_resize's crop window (float32 quotients truncated to int, at least 1)."""
    ch = max(min(h, int(f32(w * th) / f32(tw))), 1)
    cw = max(min(w, int(f32(h * tw) / f32(th))), 1)
    return int(f32(h - ch) / f32(2)), int(f32(w - cw) / f32(2)), ch, cw


def tf_bilinear(x, oh, ow):
    """TF ResizeBilinear, half_pixel_centers=True, in float32 (x: N, H, W, C)."""
    def axis(n_in, n_out):
        scale = f32(n_in) / f32(n_out)
        lo, hi, fr = [], [], []
        for i in range(n_out):
            v = (f32(i) + f32(0.5)) * scale - f32(0.5)
            fl = np.floor(v)
            lo.append(max(int(fl), 0))
            hi.append(min(int(np.ceil(v)), n_in - 1))
            fr.append(f32(v - fl))
        return lo, hi, np.array(fr, dtype=f32)
    rl, rh, fy = axis(x.shape[1], oh)
    cl, ch, fx = axis(x.shape[2], ow)
    fx = fx[None, None, :, None]
    top = x[:, rl][:, :, cl] + (x[:, rl][:, :, ch] - x[:, rl][:, :, cl]) * fx
    bot = x[:, rh][:, :, cl] + (x[:, rh][:, :, ch] - x[:, rh][:, :, cl]) * fx
    return (top + (bot - top) * fy[None, :, None, None]).astype(f32)


def tf_nearest(x, oh, ow):
    """TF ResizeNearestNeighbor, half_pixel_centers=True: floor((i + 0.5) * in / out) clamped."""
    def axis(n_in, n_out):
        scale = f32(n_in) / f32(n_out)
        return [max(0, min(int(np.floor((f32(i) + f32(0.5)) * scale)), n_in - 1)) for i in range(n_out)]
    return x[:, axis(x.shape[1], oh)][:, :, axis(x.shape[2], ow)]


def torch_resize(x, r, oh, ow, mode):
    t = torch.tensor(x.transpose(0, 3, 1, 2).copy(), requires_grad=True)
    kw = {'align_corners': False, 'antialias': False} if mode == 'bilinear' else {}
    y = F.interpolate(t, size=(oh, ow), mode=mode, **kw)
    y.backward(torch.tensor(r.transpose(0, 3, 1, 2).copy()))
    return y.detach().numpy().transpose(0, 2, 3, 1), t.grad.numpy().transpose(0, 2, 3, 1)


def resize_case(spec, x, r, out):
    n, h, w, c = x.shape
    oh, ow = spec['height'], spec['width']
    top, left, ch, cw = smart_window(h, w, oh, ow) if spec['crop'] else (0, 0, h, w)
    win = x[:, top:top + ch, left:left + cw]
    bilinear = spec['interpolation'] == 'bilinear'
    out['y_np'] = tf_bilinear(win, oh, ow) if bilinear else tf_nearest(win, oh, ow)
    y, dwin = torch_resize(win, r, oh, ow, 'bilinear' if bilinear else 'nearest-exact')
    dx = np.zeros_like(x)
    dx[:, top:top + ch, left:left + cw] = dwin
    out['y_torch'], out['dx_torch'] = y, dx


def center_crop_case(spec, x, r, out):
    n, h, w, c = x.shape
    th, tw = spec['height'], spec['width']
    if h >= th and w >= tw:
        top, left = int((h - th) / 2), int((w - tw) / 2)
        out['y_np'] = x[:, top:top + th, left:left + tw]
        dx = np.zeros_like(x)
        dx[:, top:top + th, left:left + tw] = r
        out['dx_np'] = dx
    else:
        resize_case({'height': th, 'width': tw, 'interpolation': 'bilinear', 'crop': True}, x, r, out)


def normalize_case(spec, d, out):
    x, r = d['x'], d['r']
    ndim = x.ndim
    keep = sorted({a + ndim if a < 0 else a for a in spec['axis']})
    reduce = tuple(a for a in range(ndim) if a not in keep)
    bshape = [x.shape[a] if a in keep else 1 for a in range(ndim)]
    if 'adapt' in d:
        data = d['adapt'].astype(np.float64)
        mean, var = np.mean(data, axis=reduce), np.var(data, axis=reduce)
        out['mean_np'], out['var_np'] = mean.astype(f32), var.astype(f32)
        out['count_np'] = np.array(data.size / max(1, mean.size), dtype=f32)
    else:
        stat = [x.shape[a] for a in keep]
        mean = np.array(spec['mean'], dtype=np.float64) * np.ones(stat)
        var = np.array(spec['variance'], dtype=np.float64) * np.ones(stat)
    mean = mean.astype(f32).reshape(bshape)
    scale = np.maximum(np.sqrt(var.astype(f32)), f32(1e-7)).reshape(bshape)
    if spec['invert']:
        out['y_np'], out['dx_np'] = mean + x * scale, r * scale
    else:
        out['y_np'], out['dx_np'] = (x - mean) / scale, r / scale


def map_coord(v, n, mode):
    """TF's MapCoordinate, float32 with int64 truncations."""
    if mode == 'reflect':
        if v < 0:
            if n <= 1:
                v = f32(0)
            else:
                sz2 = 2 * n
                if v < sz2:
                    v = f32(f32(sz2 * int(np.trunc(f32(-v) / f32(sz2)))) + v)
                v = f32(v + f32(sz2)) if v < -n else f32(f32(-v) - f32(1))
        elif v > n - 1:
            if n <= 1:
                v = f32(0)
            else:
                sz2 = 2 * n
                v = f32(v - f32(sz2 * int(np.trunc(v / f32(sz2)))))
                if v >= n:
                    v = f32(f32(f32(sz2) - v) - f32(1))
    elif mode == 'wrap':
        if v < 0:
            if n <= 1:
                v = f32(0)
            else:
                sz = n - 1
                v = f32(v + f32(n * (int(np.trunc(f32(-v) / f32(sz))) + 1)))
        elif v > n - 1:
            if n <= 1:
                v = f32(0)
            else:
                sz = n - 1
                v = f32(v - f32(n * int(np.trunc(v / f32(sz)))))
    elif mode == 'constant':
        return v
    return f32(min(max(v, f32(0)), f32(n - 1)))


def taps(t, ox, oy, h, w, mode, bilinear):
    """[(row, col, weight)] of output pixel (ox, oy); None when the projection is 0 (all fill)."""
    fx, fy = f32(ox), f32(oy)
    proj = t[6] * fx + t[7] * fy + f32(1)
    if proj == 0:
        return None
    in_x = (t[0] * fx + t[1] * fy + t[2]) / proj
    in_y = (t[3] * fx + t[4] * fy + t[5]) / proj
    x, y = map_coord(f32(in_x), w, mode), map_coord(f32(in_y), h, mode)
    if not bilinear:  # std::round: half away from zero
        return [(int(np.sign(y) * np.floor(abs(y) + 0.5)), int(np.sign(x) * np.floor(abs(x) + 0.5)), None)]
    yf, xf = np.floor(y), np.floor(x)
    yc, xc = f32(yf + 1), f32(xf + 1)
    return [(int(yf), int(xf), (f32(yc - y), f32(xc - x))), (int(yf), int(xc), (f32(yc - y), f32(x - xf))),
            (int(yc), int(xf), (f32(y - yf), f32(xc - x))), (int(yc), int(xc), (f32(y - yf), f32(x - xf)))]


def affine_case(spec, x, t, r, out):
    n, h, w, c = x.shape
    mode, bilinear, fill = spec['fill_mode'], spec['interpolation'] == 'bilinear', f32(spec['fill_value'])
    y = np.zeros_like(x)
    dx = np.zeros(x.shape, dtype=np.float64)
    inside = lambda i, j: 0 <= i < h and 0 <= j < w
    for b in range(n):
        tb = t[b].astype(f32)
        for oy in range(h):
            for ox in range(w):
                tp = taps(tb, ox, oy, h, w, mode, bilinear)
                if tp is None:
                    y[b, oy, ox] = fill
                    continue
                read = [x[b, i, j] if inside(i, j) else np.full(c, fill, dtype=f32) for (i, j, _) in tp]
                if not bilinear:
                    y[b, oy, ox] = read[0]
                    if inside(tp[0][0], tp[0][1]):
                        dx[b, tp[0][0], tp[0][1]] += r[b, oy, ox]
                    continue
                (wy0, wx0), (_, wx1), (wy1, _), _ = [k[2] for k in tp]
                top = wx0 * read[0] + wx1 * read[1]
                bot = wx0 * read[2] + wx1 * read[3]
                y[b, oy, ox] = wy0 * top + wy1 * bot
                for (i, j, (wy, wx)) in tp:
                    if inside(i, j):
                        dx[b, i, j] += float(wy) * float(wx) * r[b, oy, ox].astype(np.float64)
    out['y_np'], out['dx_np'] = y, dx.astype(f32)
    scipy_mode = {'reflect': 'reflect', 'constant': 'grid-constant', 'nearest': 'nearest'}.get(mode)
    if bilinear and scipy_mode is not None:
        ys = np.zeros(x.shape, dtype=np.float64)
        for b in range(n):
            a0, a1, a2, b0, b1, b2 = (float(v) for v in t[b][:6])
            for ch in range(c):
                ys[b, :, :, ch] = scipy.ndimage.affine_transform(
                    x[b, :, :, ch].astype(np.float64), np.array([[b1, b0], [a1, a0]]), offset=[b2, a2],
                    order=1, mode=scipy_mode, cval=float(fill))
        out['y_scipy'] = ys.astype(f32)


def contrast_case(spec, x, fac, r, out):
    t = torch.tensor(x.astype(np.float64), requires_grad=True)
    mean = t.mean(dim=(1, 2), keepdim=True)
    f = torch.tensor(fac.astype(np.float64)).reshape(-1, 1, 1, 1)
    y = torch.clamp((t - mean) * f + mean, spec['low'], spec['high'])
    y.backward(torch.tensor(r.astype(np.float64)))
    out['y_torch'], out['dx_torch'] = y.detach().numpy().astype(f32), t.grad.numpy().astype(f32)


def main():
    d = sys.argv[1]
    cases = json.load(open(os.path.join(d, 'cases.json')))
    for i, spec in enumerate(cases):
        data = {}
        for name in ('x', 'r', 't', 'f', 'p', 'adapt'):
            path = os.path.join(d, f'{i}_{name}.npy')
            if os.path.exists(path):
                data[name] = np.load(path)
        out = {}
        kind = spec['kind']
        if kind == 'resize':
            resize_case(spec, data['x'], data['r'], out)
        elif kind == 'center_crop':
            center_crop_case(spec, data['x'], data['r'], out)
        elif kind == 'rescale':
            s, o = f32(spec['scale']), f32(spec['offset'])
            out['y_np'], out['dx_np'] = data['x'] * s + o, data['r'] * s
        elif kind == 'normalize':
            normalize_case(spec, data, out)
        elif kind == 'affine':
            affine_case(spec, data['x'], data['t'], data['r'], out)
        elif kind == 'contrast':
            contrast_case(spec, data['x'], data['f'], data['r'], out)
        elif kind == 'flip':
            y = data['x'].copy()
            for b, (lr, ud) in enumerate(data['p']):
                if lr:
                    y[b] = y[b, :, ::-1]
                if ud:
                    y[b] = y[b, ::-1]
            out['y_np'] = y
        else:
            raise ValueError(f'unknown case kind {kind}')
        for name, value in out.items():
            np.save(os.path.join(d, f'{i}_{name}.npy'), np.ascontiguousarray(np.asarray(value, dtype=f32)))


if __name__ == '__main__':
    main()
