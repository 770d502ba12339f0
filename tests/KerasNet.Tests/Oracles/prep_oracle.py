"""Oracle for KerasNet.Preprocessing tests: builds image folders with PIL and runs keras_preprocessing on them.

Usage:
  prep_oracle.py make DIR                      write the mixed-format class folder used by the tests
  prep_oracle.py flow DIR OUT JSON             DirectoryIterator (shuffle off, one batch) for each config in JSON;
                                               writes OUT/<i>_x.npy, OUT/<i>_y.npy and OUT/<i>.json (indices, files)
  prep_oracle.py affine IN.npy JSON OUT        apply_transform for each parameter set; writes OUT/<i>.npy
  prep_oracle.py singles DIR                   writes single test files (GIF, animated GIF, 1-bit BMP and PNG, PPM)
  prep_oracle.py load JSON OUT                 load_img + img_to_array for each [file, color_mode, size or null, interp]
"""
import json
import os
import struct
import sys

import numpy as np
from PIL import Image


def rand_img(rng, h, w, c):
    # smooth gradients plus blocks and noise, so resampling has real structure to get wrong
    yy, xx = np.mgrid[0:h, 0:w]
    chans = [(xx * 255 // max(w - 1, 1)), (yy * 255 // max(h - 1, 1)), ((xx + yy) * 7) % 256, (xx * yy) % 256]
    base = np.stack(chans[:c], -1)
    noise = rng.integers(0, 256, (h, w, c))
    mask = rng.random((h, w, 1)) < 0.3
    return np.where(mask, noise, base).astype(np.uint8)


def bmp_bytes(pixels_rgb, top_down=False, bpp=24, alpha=None):
    """A hand-written BMP (BITMAPINFOHEADER, or V4 with an alpha bit mask for bpp=32 with alpha)."""
    h, w, _ = pixels_rgb.shape
    stride = (w * bpp // 8 + 3) // 4 * 4
    rows = []
    order = range(h) if top_down else range(h - 1, -1, -1)
    for y in order:
        if bpp == 24:
            row = pixels_rgb[y, :, ::-1].tobytes()
        else:
            a = alpha[y] if alpha is not None else np.full(w, 255, np.uint8)
            row = np.concatenate([pixels_rgb[y, :, ::-1], a[:, None]], 1).astype(np.uint8).tobytes()
        rows.append(row + b"\0" * (stride - len(row)))
    data = b"".join(rows)
    if alpha is not None:
        hdr_size, compression = 108, 3
        info = struct.pack("<IiiHHIIiiII", hdr_size, w, -h if top_down else h, 1, bpp, compression, len(data), 2835, 2835, 0, 0)
        info += struct.pack("<IIII", 0xFF0000, 0xFF00, 0xFF, 0xFF000000) + b"sRGB" + b"\0" * 48
    else:
        info = struct.pack("<IiiHHIIiiII", 40, w, -h if top_down else h, 1, bpp, 0, len(data), 2835, 2835, 0, 0)
    off = 14 + len(info)
    return b"BM" + struct.pack("<IHHI", off + len(data), 0, 0, off) + info + data


def bmp16_bytes(values, masks=None):
    """A hand-written 16-bit BMP: BI_RGB (5-5-5) or BI_BITFIELDS with the given (r, g, b) masks."""
    h, w = values.shape
    stride = (w * 2 + 3) // 4 * 4
    rows = b"".join(values[y].astype("<u2").tobytes() + b"\0" * (stride - w * 2) for y in range(h - 1, -1, -1))
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 16, 3 if masks else 0, len(rows), 2835, 2835, 0, 0)
    if masks:
        info += struct.pack("<III", *masks)
    off = 14 + len(info)
    return b"BM" + struct.pack("<IHHI", off + len(rows), 0, 0, off) + info + rows


def make(root):
    rng = np.random.default_rng(1234)
    a = os.path.join(root, "alpha")
    b = os.path.join(root, "beta")
    c = os.path.join(root, "gamma")
    for d in (a, b, os.path.join(b, "nested", "deeper"), os.path.join(b, "nested b"), c):
        os.makedirs(d, exist_ok=True)
    Image.fromarray(rand_img(rng, 37, 129, 3)).save(os.path.join(a, "a01_rgb24_odd.bmp"))
    Image.fromarray(rand_img(rng, 50, 61, 3)).convert("P", palette=Image.ADAPTIVE, colors=200).save(os.path.join(a, "a02_pal8.bmp"))
    Image.fromarray(rand_img(rng, 41, 33, 4)).save(os.path.join(a, "a03_rgba32.bmp"))
    with open(os.path.join(a, "a04_topdown.BMP"), "wb") as f:
        f.write(bmp_bytes(rand_img(rng, 23, 45, 3), top_down=True))
    with open(os.path.join(a, "a05_bitfields_alpha.bmp"), "wb") as f:
        f.write(bmp_bytes(rand_img(rng, 30, 27, 3), bpp=32, alpha=rng.integers(0, 256, (30, 27)).astype(np.uint8)))
    Image.fromarray(rand_img(rng, 20, 31, 3)).convert("L").save(os.path.join(a, "a06_gray8.bmp"))
    Image.fromarray(rand_img(rng, 64, 64, 3)).save(os.path.join(a, "a07_same_size.png"))
    with open(os.path.join(a, "a08_rgb555.bmp"), "wb") as f:
        f.write(bmp16_bytes(rng.integers(0, 32768, (29, 35))))
    with open(os.path.join(a, "a09_rgb565.bmp"), "wb") as f:
        f.write(bmp16_bytes(rng.integers(0, 65536, (26, 39)), masks=(0xF800, 0x7E0, 0x1F)))
    with open(os.path.join(a, "notes.txt"), "w") as f:
        f.write("not an image")
    Image.fromarray(rand_img(rng, 40, 40, 3)).convert("P").save(os.path.join(a, "ignored.gif"))

    Image.fromarray(rand_img(rng, 77, 53, 4)).save(os.path.join(b, "b01_rgba.png"))
    p = Image.fromarray(rand_img(rng, 45, 90, 3)).convert("P", palette=Image.ADAPTIVE, colors=64)
    p.save(os.path.join(b, "b02_palette_trns.PNG"), transparency=3)
    Image.fromarray(rand_img(rng, 33, 71, 3)).convert("L").save(os.path.join(b, "b03_gray.png"))
    g16 = (rng.integers(0, 2, (48, 52)) * rng.integers(0, 600, (48, 52))).astype(np.uint16)
    Image.fromarray(g16).save(os.path.join(b, "b04_gray16.png"))
    Image.fromarray(rand_img(rng, 35, 35, 3)).convert("LA").save(os.path.join(b, "b05_la.png"))
    Image.fromarray(rand_img(rng, 96, 117, 3)).save(os.path.join(b, "nested", "b06_deep.jpg"), quality=90)
    Image.fromarray(rand_img(rng, 60, 40, 3)).convert("L").save(os.path.join(b, "nested", "deeper", "b07_gray.JPEG"), quality=85)
    Image.fromarray(rand_img(rng, 128, 200, 3)).save(os.path.join(b, "nested b", "b08_big.png"))
    Image.fromarray(rand_img(rng, 9, 13, 3)).save(os.path.join(b, "b09_tiny_upscaled.bmp"))
    Image.fromarray(rand_img(rng, 70, 55, 3)).save(os.path.join(b, "b10_nodot_bmp"), format="BMP")

    for i in range(7):
        Image.fromarray(rand_img(rng, 30 + 7 * i, 91 + 2 * i, 3)).save(os.path.join(c, "c%02d.bmp" % i))


def flow(root, out, configs):
    from keras_preprocessing.image import ImageDataGenerator
    os.makedirs(out, exist_ok=True)
    for i, cfg in enumerate(configs):
        gen = ImageDataGenerator(rescale=cfg.get("rescale"), validation_split=cfg.get("validation_split", 0.0))
        it = gen.flow_from_directory(root, target_size=tuple(cfg["target_size"]), color_mode=cfg["color_mode"],
                                     classes=cfg.get("classes"), class_mode=cfg.get("class_mode", "categorical"),
                                     batch_size=10000, shuffle=False, subset=cfg.get("subset"),
                                     interpolation=cfg["interpolation"])
        meta = {"class_indices": it.class_indices, "filenames": list(it.filenames), "classes": [int(c) for c in it.classes]}
        with open(os.path.join(out, "%d.json" % i), "w") as f:
            json.dump(meta, f)
        if cfg.get("pixels", True):
            batch = it[0]
            x, y = (batch, None) if not isinstance(batch, tuple) else batch
            np.save(os.path.join(out, "%d_x.npy" % i), np.ascontiguousarray(x, dtype=np.float32))
            if y is not None:
                np.save(os.path.join(out, "%d_y.npy" % i), np.ascontiguousarray(y, dtype=np.float32))


def affine(inp, params, out):
    from keras_preprocessing.image import ImageDataGenerator
    x = np.load(inp).astype(np.float32)
    os.makedirs(out, exist_ok=True)
    for i, p in enumerate(params):
        gen = ImageDataGenerator(fill_mode=p.pop("fill_mode"), cval=p.pop("cval", 0.0))
        np.save(os.path.join(out, "%d.npy" % i), np.ascontiguousarray(gen.apply_transform(x.copy(), p), dtype=np.float32))


def singles(root):
    rng = np.random.default_rng(99)
    os.makedirs(root, exist_ok=True)
    Image.fromarray(rand_img(rng, 31, 47, 3)).convert("P").save(os.path.join(root, "still.gif"))
    frames = [Image.fromarray(rand_img(rng, 20, 25, 3)).convert("P") for _ in range(3)]
    frames[0].save(os.path.join(root, "animated.gif"), save_all=True, append_images=frames[1:], duration=100)
    Image.fromarray(rand_img(rng, 19, 37, 3)).convert("1").save(os.path.join(root, "mono.bmp"))
    Image.fromarray(rand_img(rng, 19, 37, 3)).convert("1").save(os.path.join(root, "mono.png"))
    Image.fromarray(rand_img(rng, 22, 29, 3)).save(os.path.join(root, "pixmap.ppm"))
    Image.fromarray(rand_img(rng, 40, 41, 3)).convert("L").save(os.path.join(root, "gray.jpg"), quality=95)


def load(items, out):
    from keras_preprocessing.image import load_img, img_to_array
    os.makedirs(out, exist_ok=True)
    for i, (path, mode, size, interp) in enumerate(items):
        img = load_img(path, color_mode=mode, target_size=tuple(size) if size else None, interpolation=interp)
        np.save(os.path.join(out, "%d.npy" % i), img_to_array(img).astype(np.float32))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "flow":
        flow(sys.argv[2], sys.argv[3], json.loads(open(sys.argv[4]).read()))
    elif cmd == "affine":
        affine(sys.argv[2], json.loads(open(sys.argv[3]).read()), sys.argv[4])
    elif cmd == "singles":
        singles(sys.argv[2])
    elif cmd == "load":
        load(json.loads(open(sys.argv[2]).read()), sys.argv[3])
    else:
        sys.exit("unknown command " + cmd)
