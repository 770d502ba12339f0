"""Oracle for numpy's float64 np.add.reduce (pairwise summation): reads arrays from a JSON file, prints their sums."""
import json
import sys

import numpy as np

arrays = json.load(open(sys.argv[1]))
json.dump([float(np.add.reduce(np.array(a, dtype=np.float64))) for a in arrays], sys.stdout)
