"""Oracle for KerasNet.Sklearn: runs Debian's scikit-learn on cases from a JSON file and prints the results as JSON.

Each case: {"y_true": [...], "y_pred": [...], "labels": [...] | null, "target_names": [...] | null,
            "digits": int, "zero_division": "warn" | 0 | 1}
Output per case: {"report": str, "accuracy": float, "confusion": [[...]], "macro": [p, r, f], "weighted": [p, r, f]}
Floats are printed with repr, so they round-trip exactly.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.metrics import (accuracy_score, classification_report, confusion_matrix,
                             precision_recall_fscore_support)

warnings.simplefilter("ignore")
cases = json.load(open(sys.argv[1], encoding="utf-8"))
out = []
for c in cases:
    yt, yp = np.array(c["y_true"]), np.array(c["y_pred"])
    kw = dict(labels=c.get("labels"), zero_division=c.get("zero_division", "warn"))
    r = {
        "report": classification_report(yt, yp, target_names=c.get("target_names"), digits=c.get("digits", 2), **kw),
        "accuracy": float(accuracy_score(yt, yp)),
        "confusion": confusion_matrix(yt, yp, labels=c.get("labels")).tolist(),
    }
    for avg in ("macro", "weighted"):
        p, rec, f, _ = precision_recall_fscore_support(yt, yp, average=avg, **kw)
        r[avg] = [float(p), float(rec), float(f)]
    out.append(r)
json.dump(out, sys.stdout, ensure_ascii=False)
