"""Oracle for Keras.Utils.ImageDatasetFromDirectory. Keras/TensorFlow are not installed: the listing is a transcription
of Keras 2.10's dataset_utils (index_directory, iter_valid_files, get_training_or_validation_split) using numpy's
real RandomState; images are decoded with PIL (as KerasNet documents) and resized with torch, whose bilinear
(align_corners=False, no antialias) and nearest-exact use tf.image.resize's half-pixel source positions, or, for
"area", "lanczos3", "lanczos5", "gaussian" and "mitchellcubic", with tf_resize_oracle.py's transcriptions of
TensorFlow's kernels.

Usage:
  dataset_oracle.py make DIR           writes a class folder with PNG/BMP/GIF files, nested folders, odd names
  dataset_oracle.py index JSON         prints JSON {"file_paths", "labels", "class_names", "text"}
  dataset_oracle.py pixels JSON OUT    writes OUT (npy, float32 (n, h, w, c)) for JSON {"paths", "color_mode", "size", "interpolation", "crop"}
"""
import io, json, os, sys
import numpy as np

ALLOWLIST_FORMATS = ('.bmp', '.gif', '.jpeg', '.jpg', '.png')


def make(d):
    from PIL import Image
    rng = np.random.default_rng(7)
    spec = {
        'cats': [('c1.png', 'RGB', 30, 41), ('c0.PNG', 'RGB', 17, 17), ('c2.bmp', 'RGB', 25, 20), ('sub/c3.png', 'L', 40, 33),
                 ('sub/deeper/c4.gif', 'P', 12, 19), ('sub b/c5.png', 'RGBA', 22, 28), ('notes.txt', None, 0, 0)],
        'dogs': [('d%02d.png' % i, 'RGB', 16 + 3 * i, 21 + i) for i in range(9)] + [('x.jpeg.txt', None, 0, 0)],
        'birds': [('b1.png', 'RGBA', 50, 20), ('b0.png', 'L', 9, 64)],
    }
    for cls, files in spec.items():
        for name, mode, h, w in files:
            p = os.path.join(d, cls, name)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if mode is None:
                open(p, 'w').write('not an image')
                continue
            c = {'RGB': 3, 'L': 1, 'RGBA': 4, 'P': 3}[mode]
            yy, xx = np.mgrid[0:h, 0:w]
            base = np.stack([(xx * 255 // max(w - 1, 1)), (yy * 255 // max(h - 1, 1)), ((xx + yy) * 9) % 256, 255 - (xx * yy) % 200][:c], -1)
            noise = rng.integers(0, 256, (h, w, c))
            a = np.where(rng.random((h, w, 1)) < 0.3, noise, base).astype(np.uint8)
            im = Image.fromarray(a[:, :, 0] if c == 1 else a, {1: 'L', 3: 'RGB', 4: 'RGBA'}[c])
            if mode == 'P':
                im = im.convert('P')
            im.save(p)
    open(os.path.join(d, 'root.png'), 'wb').write(open(os.path.join(d, 'cats', 'c1.png'), 'rb').read())


def iter_valid_files(directory, follow_links, formats):
    walk = os.walk(directory, followlinks=follow_links)
    for root, _, files in sorted(walk, key=lambda x: x[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def index_subdirectory(directory, class_indices, follow_links, formats):
    dirname = os.path.basename(directory)
    labels, filenames = [], []
    for root, fname in iter_valid_files(directory, follow_links, formats):
        labels.append(class_indices[dirname])
        absolute_path = os.path.join(root, fname)
        filenames.append(os.path.join(dirname, os.path.relpath(absolute_path, directory)))
    return filenames, labels


def index_directory(out, directory, labels, formats, class_names=None, shuffle=True, seed=None, follow_links=False):
    if labels is None:
        subdirs = ['']
        class_names = subdirs
    else:
        subdirs = []
        for subdir in sorted(os.listdir(directory)):
            if os.path.isdir(os.path.join(directory, subdir)):
                subdirs.append(subdir)
        if not class_names:
            class_names = subdirs
        elif set(class_names) != set(subdirs):
            raise ValueError('class_names mismatch')
    class_indices = dict(zip(class_names, range(len(class_names))))
    filenames, labels_list = [], []
    for dirpath in (os.path.join(directory, subdir) for subdir in subdirs):
        partial_filenames, partial_labels = index_subdirectory(dirpath, class_indices, follow_links, formats)
        labels_list.append(partial_labels)
        filenames += partial_filenames
    if labels not in ('inferred', None):
        if len(labels) != len(filenames):
            raise ValueError('len(labels)')
    else:
        i = 0
        labels = np.zeros((len(filenames),), dtype='int32')
        for partial_labels in labels_list:
            labels[i:i + len(partial_labels)] = partial_labels
            i += len(partial_labels)
    if labels is None:
        print('Found %d files.' % (len(filenames),), file=out)
    else:
        print('Found %d files belonging to %d classes.' % (len(filenames), len(class_names)), file=out)
    file_paths = [os.path.join(directory, fname) for fname in filenames]
    if shuffle:
        rng = np.random.RandomState(seed)
        rng.shuffle(file_paths)
        rng = np.random.RandomState(seed)
        rng.shuffle(labels)
    return file_paths, labels, class_names


def get_training_or_validation_split(out, samples, labels, validation_split, subset):
    if not validation_split:
        return samples, labels
    num_val_samples = int(validation_split * len(samples))
    if subset == 'training':
        print('Using %d files for training.' % (len(samples) - num_val_samples,), file=out)
        samples = samples[:-num_val_samples]
        labels = labels[:-num_val_samples] if labels is not None else None
    elif subset == 'validation':
        print('Using %d files for validation.' % (num_val_samples,), file=out)
        samples = samples[-num_val_samples:]
        labels = labels[-num_val_samples:] if labels is not None else None
    return samples, labels


def index(spec):
    out = io.StringIO()
    labels = spec.get('labels', 'inferred')
    paths, labels, class_names = index_directory(out, spec['dir'], labels, ALLOWLIST_FORMATS, spec.get('class_names'),
                                                 spec['shuffle'], spec['seed'])
    subsets = ['training', 'validation'] if spec.get('subset') == 'both' else [spec.get('subset')]
    res = []
    for subset in subsets:
        p, l = get_training_or_validation_split(out, paths, labels, spec.get('validation_split'), subset)
        res.append({'file_paths': list(p), 'labels': None if l is None else [int(v) for v in l]})
    print(json.dumps({'subsets': res, 'class_names': list(class_names), 'text': out.getvalue()}))


def pixels(spec, out_path):
    import torch
    import torch.nn.functional as F
    from PIL import Image
    mode = {'rgb': 'RGB', 'rgba': 'RGBA', 'grayscale': 'L'}[spec['color_mode']]
    th, tw = spec['size']
    arrays = []
    for p in spec['paths']:
        im = Image.open(p)
        if im.mode != mode:
            im = im.convert(mode)
        a = np.asarray(im, dtype=np.float32)
        if a.ndim == 2:
            a = a[:, :, None]
        if spec['crop']:
            # keras.utils.smart_resize's crop, in float32 as TensorFlow computes it
            h, w = a.shape[0], a.shape[1]
            ch = min(h, int(np.float32(w * th) / np.float32(tw)))
            cw = min(w, int(np.float32(h * tw) / np.float32(th)))
            y0 = int(np.float32(h - ch) / np.float32(2))
            x0 = int(np.float32(w - cw) / np.float32(2))
            a = a[y0:y0 + ch, x0:x0 + cw]
        if spec['interpolation'] not in ('bilinear', 'nearest'):
            from tf_resize_oracle import resize
            arrays.append(resize(a, th, tw, spec['interpolation']))
            continue
        t = torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))[None]
        if spec['interpolation'] == 'bilinear':
            r = F.interpolate(t, size=(th, tw), mode='bilinear', align_corners=False, antialias=False)
        else:
            r = F.interpolate(t, size=(th, tw), mode='nearest-exact')
        arrays.append(r[0].numpy().transpose(1, 2, 0))
    np.save(out_path, np.stack(arrays).astype(np.float32))


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2])
    elif sys.argv[1] == 'index':
        index(json.loads(sys.argv[2]))
    else:
        pixels(json.loads(sys.argv[2]), sys.argv[3])
