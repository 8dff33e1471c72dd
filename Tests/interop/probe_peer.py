#!/usr/bin/env python3
"""Golden linear probes for the Evaluation tests.

Prints JSON {features, labels, classes, c, outliers, outlier_weight, sklearn: {coef, intercept, proba},
oe: {coef, intercept, proba}}: `sklearn` is LogisticRegression(C=c) fitted to convergence; `oe` is the
same objective plus outlier exposure (c * weight * cross-entropy of each outlier to the uniform
distribution), minimized by scipy's L-BFGS-B with the exact gradient.
"""
import json

import numpy as np
from scipy.optimize import minimize
from scipy.special import logsumexp
from sklearn.linear_model import LogisticRegression


def main():
    rng = np.random.default_rng(11)
    k, d, n = 3, 6, 150
    centers = rng.normal(0, 1.5, (k, d))
    labels = rng.integers(0, k, n)
    x = centers[labels] + rng.normal(0, 1, (n, d))
    outliers = rng.normal(0, 3, (40, d))
    c, weight = 0.7, 0.5

    model = LogisticRegression(C=c, tol=1e-12, max_iter=100000).fit(x, labels)

    def objective(theta):
        w, b = theta[:k * d].reshape(k, d), theta[k * d:]
        value, gw, gb = 0.5 * np.sum(w * w), w.copy(), np.zeros(k)
        for rows, target, scale in [(x, np.eye(k)[labels], c), (outliers, np.full((len(outliers), k), 1 / k), c * weight)]:
            logits = rows @ w.T + b
            logp = logits - logsumexp(logits, axis=1, keepdims=True)
            value -= scale * np.sum(target * logp)
            r = scale * (np.exp(logp) - target)
            gw += r.T @ rows
            gb += r.sum(0)
        return value, np.concatenate([gw.ravel(), gb])

    theta = minimize(objective, np.zeros(k * d + k), jac=True, method="L-BFGS-B",
                     options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 100000}).x
    w, b = theta[:k * d].reshape(k, d), theta[k * d:]
    logits = x @ w.T + b
    oe_proba = np.exp(logits - logsumexp(logits, axis=1, keepdims=True))
    print(json.dumps({
        "features": x.tolist(), "labels": labels.tolist(), "classes": k, "c": c,
        "outliers": outliers.tolist(), "outlier_weight": weight,
        "sklearn": {"coef": model.coef_.tolist(), "intercept": model.intercept_.tolist(),
                    "proba": model.predict_proba(x).tolist()},
        "oe": {"coef": w.tolist(), "intercept": b.tolist(), "proba": oe_proba.tolist()},
    }))


if __name__ == "__main__":
    main()
