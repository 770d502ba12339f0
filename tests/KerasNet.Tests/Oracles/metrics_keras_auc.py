"""Oracle for KerasNet's confusion-matrix metrics: scikit-learn's exact answers and a numpy transcription of
tf.keras 2.4's metrics_utils.update_confusion_matrix_variables / AUC.result / interpolate_pr_auc /
SensitivitySpecificityBase (written from their semantics, not copied).

Input (argv[1]): a JSON list of cases {"y_true": [...], "y_pred": [...], "cols": c, "weights": [...] | null (one per
row), "auc": [{"num_thresholds", "curve", "summation_method"}], "counts": [{"thresholds": [...], "top_k", "class_id"}],
"at": [{"kind", "value", "num_thresholds"}], "iou": {"num_classes", "y_true", "y_pred", "weights"} | absent}.
Output: one JSON object per case; floats printed with repr.
"""
import json
import sys

import numpy as np
from sklearn.metrics import average_precision_score, confusion_matrix, precision_score, recall_score, roc_auc_score

EPS = np.float32(1e-7)
NEG_INF = np.float32(-1e10)


def counts(labels, scores, weights, thresholds):
    """tp, fp, tn, fn at each threshold: an element is predicted positive when score > threshold (float32)."""
    t = np.asarray(thresholds, dtype=np.float32)[:, None]
    pos = scores[None, :] > t
    lab = labels[None, :]
    w = weights[None, :]
    return (np.sum(w * (pos & lab), 1), np.sum(w * (pos & ~lab), 1),
            np.sum(w * (~pos & ~lab), 1), np.sum(w * (~pos & lab), 1))


def div(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.where(b == 0, 0.0, a / np.where(b == 0, 1.0, b))


def keras_auc(tp, fp, tn, fn, curve, method):
    n = len(tp)
    if curve == "PR" and method == "interpolation":
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = div(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:n - 1] > 0) & (p[1:] > 0), div(p[:n - 1], np.maximum(p[1:], 0)), 1.0)
        return float(np.sum(div(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))))
    recall = div(tp, tp + fn)
    if curve == "ROC":
        x, y = div(fp, fp + tn), recall
    else:
        x, y = recall, div(tp, tp + fp)
    if method == "interpolation":
        h = (y[:n - 1] + y[1:]) / 2
    elif method == "minoring":
        h = np.minimum(y[:n - 1], y[1:])
    else:
        h = np.maximum(y[:n - 1], y[1:])
    return float(np.sum((x[:n - 1] - x[1:]) * h))


def auc_thresholds(n):
    inner = [(i + 1) * 1.0 / (n - 1) for i in range(n - 2)]
    return np.array([np.float32(0) - EPS] + inner + [np.float32(1) + EPS], dtype=np.float32)


def top_k_filter(pred, k):
    """Keep each row's k highest (lower index first on ties, as tf.nn.top_k); the rest become -1e10."""
    out = np.full_like(pred, NEG_INF)
    for r in range(pred.shape[0]):
        idx = sorted(range(pred.shape[1]), key=lambda j: (-pred[r, j], j))[:k]
        out[r, idx] = pred[r, idx]
    return out


def main():
    cases = json.load(open(sys.argv[1], encoding="utf-8"))
    out = []
    for c in cases:
        cols = c["cols"]
        yt = np.array(c["y_true"], dtype=np.float32).reshape(-1, cols)
        yp = np.array(c["y_pred"], dtype=np.float32).reshape(-1, cols)
        rw = np.ones(yt.shape[0]) if c.get("weights") is None else np.array(c["weights"], dtype=np.float64)
        ew = np.repeat(rw, cols)  # one weight per sample, broadcast over its row
        labels, scores = yt.ravel() != 0, yp.ravel()
        r = {}
        # Exact areas (scikit-learn) and the bracket Keras documents: minoring <= exact <= majoring for ROC.
        r["sklearn_roc"] = float(roc_auc_score(labels, scores, sample_weight=ew))
        r["sklearn_ap"] = float(average_precision_score(labels, scores, sample_weight=ew))
        r["auc"] = []
        for a in c.get("auc", []):
            tp, fp, tn, fn = counts(labels, scores, ew, auc_thresholds(a["num_thresholds"]))
            r["auc"].append(keras_auc(tp, fp, tn, fn, a["curve"], a["summation_method"]))
        r["counts"] = []
        for spec in c.get("counts", []):
            p, y, w = yp, yt, np.repeat(rw, cols).reshape(yp.shape)
            if spec.get("top_k") is not None:
                p = top_k_filter(p, spec["top_k"])
            if spec.get("class_id") is not None:
                p, y, w = p[:, spec["class_id"]], y[:, spec["class_id"]], w[:, spec["class_id"]]
            lab, sc, ww = y.ravel() != 0, p.ravel(), w.ravel()
            res = {"precision": [], "recall": [], "tp": [], "fp": [], "tn": [], "fn": []}
            for t in spec["thresholds"]:
                hat = sc > np.float32(t)
                res["precision"].append(float(precision_score(lab, hat, sample_weight=ww, zero_division=0)))
                res["recall"].append(float(recall_score(lab, hat, sample_weight=ww, zero_division=0)))
                tn_, fp_, fn_, tp_ = confusion_matrix(lab, hat, sample_weight=ww, labels=[False, True]).ravel()
                for k, v in (("tp", tp_), ("fp", fp_), ("tn", tn_), ("fn", fn_)):
                    res[k].append(float(v))
            r["counts"].append(res)
        r["at"] = []
        for spec in c.get("at", []):
            n = spec["num_thresholds"]
            th = [0.5] if n == 1 else [0.0] + [(i + 1) * 1.0 / (n - 1) for i in range(n - 2)] + [1.0]
            tp, fp, tn, fn = counts(labels, scores, ew, th)
            sens, spec_, prec = div(tp, tp + fn), div(tn, tn + fp), div(tp, tp + fp)
            constrained, dependent = {"sensitivity_at_specificity": (spec_, sens), "specificity_at_sensitivity": (sens, spec_),
                                      "precision_at_recall": (sens, prec), "recall_at_precision": (prec, sens)}[spec["kind"]]
            ok = constrained >= spec["value"]
            r["at"].append(float(np.max(dependent[ok])) if ok.any() else 0.0)
        if "iou" in c:
            i = c["iou"]
            cm = confusion_matrix(np.trunc(i["y_true"]).astype(int), np.trunc(i["y_pred"]).astype(int),
                                  labels=list(range(i["num_classes"])), sample_weight=i.get("weights"))
            tp = np.diag(cm).astype(float)
            den = cm.sum(0) + cm.sum(1) - tp
            r["iou"] = float(np.sum(div(tp, den)) / max(1, np.count_nonzero(den)))
        out.append(r)
    json.dump(out, sys.stdout)


main()
