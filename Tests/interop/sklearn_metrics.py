#!/usr/bin/env python3
"""Golden OOD metrics from scikit-learn for the Evaluation tests.

usage: sklearn_metrics.py -> JSON list of cases {name, id, ood, auroc, fpr95, aupr_in, aupr_out}
ID is the positive class; FPR95 is the FPR at the first roc_curve point (drop_intermediate=False)
whose TPR reaches 0.95; AUPR-Out is average precision with OOD positive on negated scores.
"""
import json

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve


def metrics(name, id_scores, ood_scores):
    scores = np.concatenate([id_scores, ood_scores])
    labels = np.concatenate([np.ones(len(id_scores)), np.zeros(len(ood_scores))])
    fpr, tpr, _ = roc_curve(labels, scores, drop_intermediate=False)
    return {"name": name, "id": [float(x) for x in id_scores], "ood": [float(x) for x in ood_scores],
            "auroc": roc_auc_score(labels, scores), "fpr95": float(fpr[np.argmax(tpr >= 0.95)]),
            "aupr_in": average_precision_score(labels, scores),
            "aupr_out": average_precision_score(1 - labels, -scores)}


def main():
    rng = np.random.default_rng(7)
    cases = [
        metrics("separable", rng.normal(2, 1, 200), rng.normal(-2, 1, 300)),
        metrics("overlapping", rng.normal(0.5, 1, 500), rng.normal(0, 1, 400)),
        metrics("heavy ties", np.round(rng.normal(0.3, 1, 300)), np.round(rng.normal(0, 1, 250))),
        metrics("all tied", np.zeros(50), np.zeros(70)),
        metrics("inverted", rng.normal(-1, 1, 100), rng.normal(1, 1, 100)),
        metrics("tiny", np.array([0.9, 0.4, 0.4]), np.array([0.4, 0.1])),
        metrics("coarse grid", rng.integers(0, 5, 1000).astype(float), rng.integers(0, 4, 800).astype(float)),
    ]
    print(json.dumps(cases))


if __name__ == "__main__":
    main()
