#!/usr/bin/env python3
"""Generate tests/golden/eval-cases-local.json: reference values, at 80 digits,
for losses added after the shared golden files (today: pseudo_huber).

The format is that of eval-cases.json: each case gives the loss, its
parameters, the reduction, the data and the expected value, per-sample values,
gradient and Hessian, computed with mpmath from the exact float64 inputs and
rounded once to float64. Run: python3 tests/golden/generate_local.py
"""

import json
import os

from mpmath import mp, mpf, sqrt

mp.dps = 80


def pseudo_huber(delta, y, yhat):
    """delta^2 (sqrt(1 + (a/delta)^2) - 1), its derivative and second derivative in yhat."""
    d, a = mpf(delta), mpf(yhat) - mpf(y)
    root = sqrt(1 + (a / d) ** 2)
    # delta^2 (root - 1) written as a^2 / (root + 1): the same number, without
    # the cancellation that 80 digits cannot absorb when (a/delta)^2 < 1e-80.
    return a * a / (root + 1), a / root, 1 / root**3


def case(id, tier, params, reduction, target, prediction, weights=None):
    n = len(target)
    w = [mpf(x) for x in weights] if weights else [mpf(1)] * n
    points = [pseudo_huber(params["delta"], y, p) for y, p in zip(target, prediction)]
    per_sample = [v * wi for (v, _, _), wi in zip(points, w)]
    denominator = {"mean": mpf(n), "sum": mpf(1), "weighted_mean": sum(w)}[reduction]
    out = {
        "id": id,
        "tier": tier,
        "loss": "pseudo_huber",
        "params": params,
        "reduction": reduction,
        "target": target,
        "prediction": prediction,
    }
    if weights:
        out["weights"] = weights
    out["expected"] = {
        "value": float(sum(per_sample) / denominator),
        "per_sample": [float(x) for x in per_sample],
        "gradient": [float(g * wi / denominator) for (_, g, _), wi in zip(points, w)],
        "hessian": [float(h * wi / denominator) for (_, _, h), wi in zip(points, w)],
    }
    return out


article_y = [-3, -1, -2, 1, -1, 1, 2, 1, 3, 4, 3, 5]
article_yhat = [-2, 1, -1, 0, -1, 1, 2, 2, 3, 3, 3, 5]

cases = [
    case("local-pseudo-huber-article", "core", {"delta": 1.0}, "mean", article_y, article_yhat),
    case(
        "local-pseudo-huber-delta",
        "core",
        {"delta": 1.5},
        "sum",
        [0.0, 0.5, -2.0, 10.0, 3.25],
        [0.1, 0.5, 1.0, -7.5, 3.0],
    ),
    case(
        "local-pseudo-huber-weights",
        "core",
        {"delta": 0.5},
        "weighted_mean",
        [1.0, 2.0, 3.0, 4.0],
        [1.5, 0.0, 3.1, 9.0],
        weights=[1.0, 2.0, 0.0, 0.5],
    ),
    case(
        "local-pseudo-huber-extremes",
        "stress",
        {"delta": 1.0},
        "sum",
        [0.0, 0.0, 0.0, 1.0, -1e300],
        [1e300, -1e300, 1e-10, 1.0 + 2.0**-52, 1e300],
    ),
    case(
        "local-pseudo-huber-scales",
        "stress",
        {"delta": 1e-150},
        "mean",
        [0.0, 1e150, 0.0],
        [1e150, 0.0, 1e-160],
    ),
    case(
        "local-pseudo-huber-overflowing-ratio",
        "stress",
        {"delta": 1e-300},
        "sum",
        [0.0, 0.0],
        [1e300, -3e300],
    ),
    case(
        "local-pseudo-huber-wide-delta",
        "stress",
        {"delta": 1e200},
        "mean",
        [0.0, 5.0],
        [1e-100, 5.0 + 1e100],
    ),
]

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "eval-cases-local.json")
with open(path, "w") as f:
    json.dump({"cases": cases}, f, indent=1)
    f.write("\n")
print(f"{len(cases)} cases written to {path}")
