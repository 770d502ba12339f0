"""Independent numpy transcription of tf.keras 2.4's optimizers, gradient clipping and learning-rate schedules
(optimizer_v2/*.py, TensorFlow's training_ops kernels, clip_ops, learning_rate_schedule.py; AdamW and weight_decay
as Keras 3's base optimizer applies it), float32 throughout as TensorFlow computes them.

usage: optimizers_numpy.py DIR CONFIG_JSON
  DIR/w0.npy: (n,) initial parameters, the variables concatenated; DIR/grads.npy: (steps, n) gradients.
  Writes DIR/out.npy: (steps, n) parameters after each step, DIR/lr.npy: (steps,) the learning rate of each step.
CONFIG_JSON: {"name": ..., "sizes": [variable sizes], "learning_rate": number or {"class_name", "config"},
  the optimizer's own fields, and optionally clipnorm / clipvalue / global_clipnorm / weight_decay / decay}.
With {"schedule_only": true} only lr.npy is written, for steps 0 .. steps-1.
"""
import ctypes
import ctypes.util
import json
import math
import sys

import numpy as np

f32 = np.float32

# pow, cos and log through the C library's float functions (powf, cosf, logf), element by element: numpy's own
# vectorised float32 loops (SVML on AVX-512 machines) round differently in the last bit, and so may TensorFlow's Eigen.
# With these the transcription fixes every rounding, so the comparison can be bit for bit.
_libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
for _fn, _n in (("powf", 2), ("cosf", 1), ("logf", 1)):
    getattr(_libm, _fn).restype = ctypes.c_float
    getattr(_libm, _fn).argtypes = [ctypes.c_float] * _n


def _each(fn, *xs):
    arrs = np.broadcast_arrays(*[np.asarray(x, f32) for x in xs])
    out = np.array([fn(*(float(a) for a in t)) for t in zip(*[a.ravel() for a in arrs])], f32).reshape(arrs[0].shape)
    return out if out.ndim else f32(out)


def powf(a, b):
    return _each(_libm.powf, a, b)


def cosf(a):
    return _each(_libm.cosf, a)


def logf(a):
    return _each(_libm.logf, a)


# ---- learning-rate schedules (learning_rate_schedule.py; CosineDecay's warmup as Keras 3) ----

def schedule(cfg):
    if not isinstance(cfg, dict):
        return lambda step: f32(cfg)
    cls, c = cfg["class_name"], cfg["config"]
    lr0 = f32(c.get("initial_learning_rate", 0))
    if cls == "ExponentialDecay":
        def f(step):
            p = f32(step) / f32(c["decay_steps"])
            if c.get("staircase"):
                p = np.floor(p)
            return lr0 * powf(f32(c["decay_rate"]), p)
    elif cls == "InverseTimeDecay":
        def f(step):
            p = f32(step) / f32(c["decay_steps"])
            if c.get("staircase"):
                p = np.floor(p)
            return lr0 / (f32(1) + f32(c["decay_rate"]) * p)
    elif cls == "PiecewiseConstantDecay":
        b = [f32(x) for x in c["boundaries"]]
        v = [f32(x) for x in c["values"]]

        def f(step):
            x = f32(step)
            if x <= b[0]:
                return v[0]
            if x > b[-1]:
                return v[-1]
            for i in range(1, len(b)):
                if b[i - 1] < x <= b[i]:
                    return v[i]
            return v[-1]
    elif cls == "PolynomialDecay":
        end, power = f32(c.get("end_learning_rate", 0.0001)), f32(c.get("power", 1.0))

        def f(step):
            s, ds = f32(step), f32(c["decay_steps"])
            if c.get("cycle"):
                mult = f32(1.0) if s == 0 else np.ceil(s / ds)
                ds = ds * mult
            else:
                s = min(s, ds)
            p = s / ds
            return (lr0 - end) * powf(f32(1) - p, power) + end
    elif cls == "CosineDecay":
        alpha = c.get("alpha", 0.0)
        target = c.get("warmup_target")

        def decayed(s, ds, start):
            frac = s / ds
            cos = f32(0.5) * (f32(1.0) + cosf(f32(math.pi) * frac))
            return start * (f32(1 - alpha) * cos + f32(alpha))

        def f(step):
            s, ds = f32(step), f32(c["decay_steps"])
            if target is None:
                return decayed(min(s, ds), ds, lr0)
            ws, t = f32(c["warmup_steps"]), f32(target)
            s = min(s, ds + ws)
            if s < ws:
                return (t - lr0) * (s / ws) + lr0
            return decayed(s - ws, ds, t)
    elif cls == "CosineDecayRestarts":
        first, alpha = f32(c["first_decay_steps"]), f32(c.get("alpha", 0.0))
        t_mul, m_mul = f32(c.get("t_mul", 2.0)), f32(c.get("m_mul", 1.0))

        def f(step):
            frac = f32(step) / first
            if t_mul == f32(1.0):
                i = np.floor(frac)
                frac = frac - i
            else:
                i = np.floor(logf(f32(1.0) - frac * (f32(1.0) - t_mul)) / logf(t_mul))
                sum_r = (f32(1.0) - powf(t_mul, i)) / (f32(1.0) - t_mul)
                frac = (frac - sum_r) / powf(t_mul, i)
            m_fac = powf(m_mul, i)
            cos = f32(0.5) * m_fac * (f32(1.0) + cosf(f32(math.pi) * frac))
            return lr0 * ((f32(1) - alpha) * cos + alpha)
    else:
        raise SystemExit("unknown schedule " + cls)
    def checked_lr(step):
        r = f(step)
        assert r.dtype == f32, (cls, r.dtype)
        return r
    return checked_lr


# ---- optimizers: each step(w, g, slots, lr, t) -> new w for one variable; t = iterations + 1 ----

def make(c):
    name = c["name"]
    if name == "sgd":
        lr_, mu, nest = None, f32(c.get("momentum", 0.0)), c.get("nesterov", False)

        def init(n): return [np.zeros(n, f32)]

        def step(w, g, s, lr, t, k):
            if mu == 0:
                return w - lr * g
            s[0] = s[0] * mu - lr * g
            return w + (s[0] * mu - lr * g if nest else s[0])
    elif name == "rmsprop":
        rho, mu, eps, centered = f32(c.get("rho", 0.9)), f32(c.get("momentum", 0.0)), f32(c.get("epsilon", 1e-7)), c.get("centered", False)

        def init(n): return [np.zeros(n, f32) for _ in range(3)]

        def step(w, g, s, lr, t, k):
            one = f32(1) - rho
            if mu == 0:
                s[0] = rho * s[0] + one * (g * g)
                denom = s[0]
                if centered:
                    s[2] = rho * s[2] + one * g
                    denom = s[0] - s[2] * s[2]
                return w - lr * g / (np.sqrt(denom) + eps)
            s[0] = s[0] + (g * g - s[0]) * one
            d = s[0]
            if centered:
                s[2] = s[2] + (g - s[2]) * one
                d = s[0] - s[2] * s[2]
            s[1] = s[1] * mu + g * lr / np.sqrt(d + eps)
            return w - s[1]
    elif name in ("adam", "adamw"):
        b1, b2, eps, ams = f32(c.get("beta_1", 0.9)), f32(c.get("beta_2", 0.999)), f32(c.get("epsilon", 1e-7)), c.get("amsgrad", False)

        def init(n): return [np.zeros(n, f32) for _ in range(3)]

        def step(w, g, s, lr, t, k):
            alpha = lr * np.sqrt(f32(1) - powf(b2, f32(t))) / (f32(1) - powf(b1, f32(t)))
            s[0] = s[0] + (g - s[0]) * (f32(1) - b1)
            s[1] = s[1] + (g * g - s[1]) * (f32(1) - b2)
            v = s[1]
            if ams:
                s[2] = np.maximum(s[2], s[1])
                v = s[2]
            return w - s[0] * alpha / (np.sqrt(v) + eps)
    elif name == "adamax":
        b1, b2, eps = f32(c.get("beta_1", 0.9)), f32(c.get("beta_2", 0.999)), f32(c.get("epsilon", 1e-7))

        def init(n): return [np.zeros(n, f32) for _ in range(2)]

        def step(w, g, s, lr, t, k):
            s[0] = s[0] + (g - s[0]) * (f32(1) - b1)
            s[1] = np.maximum(b2 * s[1], np.abs(g))
            return w - lr / (f32(1) - powf(b1, f32(t))) * (s[0] / (s[1] + eps))
    elif name == "nadam":
        b1, b2, eps, decay = f32(c.get("beta_1", 0.9)), f32(c.get("beta_2", 0.999)), f32(c.get("epsilon", 1e-7)), f32(c.get("decay", 0.004))
        cache = {"m": f32(1.0), "t": 0}

        def init(n): return [np.zeros(n, f32) for _ in range(2)]

        def step(w, g, s, lr, t, k):
            m_t = b1 * (f32(1.0) - f32(0.5) * powf(f32(0.96), decay * f32(t)))
            m_t1 = b1 * (f32(1.0) - f32(0.5) * powf(f32(0.96), decay * f32(t + 1)))
            if cache["t"] != t:  # the momentum cache advances once per step, not per variable
                cache["t"], cache["prev"] = t, cache["m"]
                cache["m"] = cache["m"] * m_t
            sched_new = cache["m"]
            sched_next = sched_new * m_t1
            g_prime = g / (f32(1.0) - sched_new)
            s[0] = b1 * s[0] + (f32(1) - b1) * g
            m_prime = s[0] / (f32(1.0) - sched_next)
            s[1] = b2 * s[1] + (f32(1) - b2) * (g * g)
            v_prime = s[1] / (f32(1.0) - powf(b2, f32(t)))
            m_bar = (f32(1.0) - m_t) * g_prime + m_t1 * m_prime
            return w - lr * m_bar / (np.sqrt(v_prime) + eps)
    elif name == "adagrad":
        eps, acc0 = f32(c.get("epsilon", 1e-7)), f32(c.get("initial_accumulator_value", 0.1))

        def init(n): return [np.full(n, acc0, f32)]

        def step(w, g, s, lr, t, k):
            s[0] = s[0] + g * g
            return w - g * lr / (np.sqrt(s[0]) + eps)
    elif name == "adadelta":
        rho, eps = f32(c.get("rho", 0.95)), f32(c.get("epsilon", 1e-7))

        def init(n): return [np.zeros(n, f32) for _ in range(2)]

        def step(w, g, s, lr, t, k):
            s[0] = s[0] * rho + g * g * (f32(1) - rho)
            update = np.sqrt(s[1] + eps) * (f32(1) / np.sqrt(s[0] + eps)) * g
            s[1] = s[1] * rho + update * update * (f32(1) - rho)
            return w - update * lr
    elif name == "ftrl":
        power = f32(c.get("learning_rate_power", -0.5))
        acc0 = f32(c.get("initial_accumulator_value", 0.1))
        l1, l2 = f32(c.get("l1_regularization_strength", 0.0)), f32(c.get("l2_regularization_strength", 0.0))
        shrink, beta = f32(c.get("l2_shrinkage_regularization_strength", 0.0)), f32(c.get("beta", 0.0))

        def init(n): return [np.full(n, acc0, f32), np.zeros(n, f32)]

        def pw(x):
            return np.sqrt(x) if power == f32(-0.5) else powf(x, -power)

        def step(w, g, s, lr, t, k):
            l2_adj = l2 + beta / (f32(2.0) * lr)
            n = s[0] + g * g
            g_use = g + (f32(2) * shrink) * w if shrink > 0 else g
            s[1] = s[1] + (g_use - (pw(n) - pw(s[0])) / lr * w)
            x = l1 * np.sign(s[1]) - s[1]
            y = pw(n) / lr + f32(2) * l2_adj
            s[0] = n
            return np.where(np.abs(s[1]) > l1, x / y, f32(0)).astype(f32)
    else:
        raise SystemExit("unknown optimizer " + name)
    return init, step


def clip(grads, c):
    """optimizer_v2._transform_gradients: clipvalue, then clipnorm per variable, then global_clipnorm."""
    if c.get("clipvalue") is not None:
        v = f32(c["clipvalue"])
        grads = [np.maximum(np.minimum(g, v), -v) for g in grads]
    if c.get("clipnorm") is not None:
        cn = f32(c["clipnorm"])
        out = []
        for g in grads:
            l2sum = f32(np.sum(g.astype(np.float64) ** 2))  # the sum in double, rounded once (as KerasNet)
            norm = np.sqrt(l2sum) if l2sum > 0 else l2sum
            out.append(g * cn / np.maximum(norm, cn))
        grads = out
    if c.get("global_clipnorm") is not None:
        cn = f32(c["global_clipnorm"])
        norm = np.sqrt(f32(sum(np.sum(g.astype(np.float64) ** 2) for g in grads)))
        scale = cn * np.minimum(f32(1.0) / norm, f32(1.0) / cn) + (norm - norm)
        grads = [g * scale for g in grads]
    return grads


def checked(x):
    # Every operation must stay in float32: a float64 result would mean a Python scalar widened the arithmetic.
    assert x.dtype == f32, x.dtype
    return x


def main():
    d, c = sys.argv[1], json.loads(sys.argv[2])
    grads_all = np.load(d + "/grads.npy").astype(f32)
    lr_at = schedule(c.get("learning_rate", 0.001))
    decay = f32(c.get("decay", 0.0)) if c["name"] != "nadam" else f32(0)
    steps = grads_all.shape[0]
    if c.get("schedule_only"):
        np.save(d + "/lr.npy", np.array([lr_at(i) for i in range(steps)], f32))
        return
    w = np.load(d + "/w0.npy").astype(f32)
    sizes = c["sizes"]
    offs = np.cumsum([0] + sizes)
    ws = [w[offs[i]:offs[i + 1]].copy() for i in range(len(sizes))]
    init, step = make(c)
    slots = [init(s) for s in sizes]
    wd = c.get("weight_decay", 0.004 if c["name"] == "adamw" else None)
    out, lrs = [], []
    for it in range(steps):
        lr = lr_at(it)
        if decay > 0:
            lr = f32(lr / (f32(1.0) + decay * f32(it)))
        lrs.append(lr)
        gs = clip([grads_all[it, offs[i]:offs[i + 1]] for i in range(len(sizes))], c)
        if wd is not None:
            ws = [x - x * f32(wd) * lr for x in ws]
        ws = [checked(step(ws[i], gs[i], slots[i], lr, it + 1, i)) for i in range(len(sizes))]
        out.append(np.concatenate(ws))
    np.save(d + "/out.npy", np.stack(out).astype(f32))
    np.save(d + "/lr.npy", np.array(lrs, f32))


if __name__ == "__main__":
    main()
