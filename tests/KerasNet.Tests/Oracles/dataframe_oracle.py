"""Oracle for ImageDataGenerator.FlowFromCsv. pandas is not installed, so the table comes from the csv module
(every cell a string, as KerasNet reads it) and keras_preprocessing 1.1's DataFrameIterator.__init__ steps are
transcribed (_filter_valid_filepaths, _filter_classes, the subset slice, get_classes); pixels come from
keras_preprocessing's own load_img + img_to_array, as its _get_batches_of_transformed_samples calls them.

argv[1]: JSON {"csv", "directory", "x_col", "y_col", "classes", "class_mode", "validation_split", "subset",
               "validate_filenames", "target_size", "color_mode", "interpolation"}
argv[2]: OUT.npy for the images of every kept row, in order
prints JSON {"filenames", "classes", "class_indices", "text", "warnings"}
"""
import csv, json, os, sys
import numpy as np
from keras_preprocessing import image as kimage

spec = json.loads(sys.argv[1])
with open(spec['csv'], newline='') as f:
    rows = list(csv.DictReader(f))
directory = spec['directory'] or ''
x_col, y_col, class_mode = spec['x_col'], spec['y_col'], spec['class_mode']
white_list_formats = ('png', 'jpg', 'jpeg', 'bmp', 'ppm', 'tif', 'tiff')
warnings = []
if spec['validate_filenames']:
    def validate_filename(filename):
        return filename.lower().endswith(white_list_formats) and os.path.isfile(filename)
    mask = [validate_filename(os.path.join(directory, r[x_col])) for r in rows]
    n_invalid = mask.count(False)
    if n_invalid:
        warnings.append('Found {} invalid image filename(s) in x_col="{}". These filename(s) will be ignored.'.format(n_invalid, x_col))
    rows = [r for r, m in zip(rows, mask) if m]
class_indices = {}
if class_mode not in ['input', 'multi_output', 'raw', None]:
    classes = spec['classes']
    if classes:
        import collections
        classes = list(collections.OrderedDict.fromkeys(classes).keys())
        rows = [r for r in rows if r[y_col] in classes]
    else:
        classes = set(r[y_col] for r in rows)
    classes = sorted(classes)
    class_indices = dict(zip(classes, range(len(classes))))
split = None
if spec['subset'] == 'validation':
    split = (0, spec['validation_split'])
elif spec['subset'] == 'training':
    split = (spec['validation_split'], 1)
if split:
    num_files = len(rows)
    rows = rows[int(split[0] * num_files): int(split[1] * num_files)]
labels = [class_indices[r[y_col]] for r in rows] if class_indices else []
filenames = [r[x_col] for r in rows]
validated = 'validated' if spec['validate_filenames'] else 'non-validated'
if class_mode in ['input', 'multi_output', 'raw', None]:
    text = 'Found {} {} image filenames.\n'.format(len(filenames), validated)
else:
    text = 'Found {} {} image filenames belonging to {} classes.\n'.format(len(filenames), validated, len(class_indices))
imgs = [kimage.img_to_array(kimage.load_img(os.path.join(directory, f), color_mode=spec['color_mode'],
                                            target_size=tuple(spec['target_size']), interpolation=spec['interpolation']))
        for f in filenames]
np.save(sys.argv[2], np.stack(imgs).astype(np.float32))
print(json.dumps({'filenames': filenames, 'classes': labels, 'class_indices': class_indices, 'text': text, 'warnings': warnings}))
