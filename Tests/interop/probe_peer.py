#!/usr/bin/env python3
"""Golden linear probes for the Evaluation tests.

Prints JSON {features, labels, classes, c, outliers, outlier_weight, sklearn: {coef, intercept, proba},
oe: {...}, energy: {...}, margins}: `sklearn` is LogisticRegression(C=c) fitted to convergence; `oe` is the
same objective plus outlier exposure (c * weight * cross-entropy of each outlier to the uniform
distribution), minimized by scipy's L-BFGS-B with the exact gradient; `energy` the energy-bounded variant (squared
hinges on ID energies above margins[0] and outlier energies below margins[1]).
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

    m_in, m_out = -2.0, -0.5

    def objective(theta, energy):
        w, b = theta[:k * d].reshape(k, d), theta[k * d:]
        value, gw, gb = 0.5 * np.sum(w * w), w.copy(), np.zeros(k)
        for rows, target, scale, outlier in [(x, np.eye(k)[labels], c, False),
                                             (outliers, np.full((len(outliers), k), 1 / k), c * weight, True)]:
            logits = rows @ w.T + b
            lse = logsumexp(logits, axis=1, keepdims=True)
            p = np.exp(logits - lse)
            if not outlier:
                value -= scale * np.sum(target * (logits - lse))
                r = p - target
                if energy:      # squared hinge on the ID energies -lse above m_in
                    excess = np.maximum(0, -lse - m_in)
                    value += scale * weight * np.sum(excess ** 2)
                    r = r - weight * 2 * excess * p
            elif energy:        # squared hinge on outlier energies below m_out
                short = np.maximum(0, m_out + lse)
                value += scale * np.sum(short ** 2)
                r = 2 * short * p
            else:
                value -= scale * np.sum(target * (logits - lse))
                r = p - target
            gw += scale * (r.T @ rows)
            gb += scale * r.sum(0)
        return value, np.concatenate([gw.ravel(), gb])

    def solve(energy):
        theta = minimize(objective, np.zeros(k * d + k), args=(energy,), jac=True, method="L-BFGS-B",
                         options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": 100000}).x
        w, b = theta[:k * d].reshape(k, d), theta[k * d:]
        logits = x @ w.T + b
        return {"coef": w.tolist(), "intercept": b.tolist(),
                "proba": np.exp(logits - logsumexp(logits, axis=1, keepdims=True)).tolist()}
    print(json.dumps({
        "features": x.tolist(), "labels": labels.tolist(), "classes": k, "c": c,
        "outliers": outliers.tolist(), "outlier_weight": weight,
        "sklearn": {"coef": model.coef_.tolist(), "intercept": model.intercept_.tolist(),
                    "proba": model.predict_proba(x).tolist()},
        "oe": solve(False), "energy": solve(True), "margins": [m_in, m_out],
    }))


if __name__ == "__main__":
    main()
