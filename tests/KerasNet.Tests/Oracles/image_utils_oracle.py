"""Oracle for Keras.Utils.LoadImg / ImgToArray / ArrayToImg / SaveImg: keras_preprocessing (Debian's
python3-keras-preprocessing) and PIL.

Usage:
  image_utils_oracle.py load FILE COLOR_MODE H W INTERP KEEP OUT.npy   load_img + img_to_array (H=0: no target size);
                                                                       KEEP=1: Keras 2.9's keep_aspect_ratio crop box with PIL
  image_utils_oracle.py to_img IN.npy DATA_FORMAT SCALE OUT.npy        array_to_img, then np.asarray of the image; prints the mode
  image_utils_oracle.py read FILE OUT.npy                              PIL's pixels of a written file; prints the mode and format
"""
import sys
import numpy as np
from PIL import Image
from keras_preprocessing import image as kimage
from keras_preprocessing.image import utils as kutils

cmd = sys.argv[1]
if cmd == 'load':
    path, color_mode, h, w, interp, keep, out = sys.argv[2:9]
    h, w = int(h), int(w)
    size = None if h == 0 else (h, w)
    if keep == '1':
        # Keras 2.9 utils/image_utils.load_img with keep_aspect_ratio=True (keras_preprocessing 1.1 predates it)
        img = kimage.load_img(path, color_mode=color_mode)
        width, height = img.size
        target_width, target_height = w, h
        crop_height = (width * target_height) // target_width
        crop_width = (height * target_width) // target_height
        crop_height = min(height, crop_height)
        crop_width = min(width, crop_width)
        crop_box_hstart = (height - crop_height) // 2
        crop_box_wstart = (width - crop_width) // 2
        crop_box = [crop_box_wstart, crop_box_hstart, crop_box_wstart + crop_width, crop_box_hstart + crop_height]
        img = img.resize((w, h), kutils._PIL_INTERPOLATION_METHODS[interp], box=crop_box)
    else:
        img = kimage.load_img(path, color_mode=color_mode, target_size=size, interpolation=interp)
    np.save(out, kimage.img_to_array(img))
elif cmd == 'to_img':
    x = np.load(sys.argv[2])
    img = kimage.array_to_img(x, data_format=sys.argv[3], scale=sys.argv[4] == '1')
    np.save(sys.argv[5], np.asarray(img).astype(np.float32))
    print(img.mode)
else:
    img = Image.open(sys.argv[2])
    print(img.mode, img.format)
    np.save(sys.argv[3], np.asarray(img).astype(np.float32))
