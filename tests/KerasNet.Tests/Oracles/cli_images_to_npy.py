"""Oracle for `kerasnet predict --images`: prepares the same images as Keras would and saves them as an NHWC .npy.

usage: cli_images_to_npy.py DIR HEIGHT WIDTH RESCALE OUT.npy
DIR is a flow_from_directory folder (one subfolder per class): classes in sorted order, files sorted inside each,
loaded with keras_preprocessing's load_img (PIL, nearest resize), img_to_array, times RESCALE, as float32.
"""
import os
import sys

import numpy as np
from keras_preprocessing.image import img_to_array, load_img

directory, h, w, rescale, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
exts = (".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff")
paths = []
for cls in sorted(d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d))):
    for f in sorted(os.listdir(os.path.join(directory, cls))):
        if f.lower().endswith(exts):
            paths.append(os.path.join(directory, cls, f))
x = np.stack([img_to_array(load_img(p, target_size=(h, w), interpolation="nearest")) * rescale for p in paths]).astype(np.float32)
np.save(out, x)
print("\n".join(os.path.relpath(p, directory) for p in paths))
