#!/usr/bin/env python3
"""Turn Keras' own loss tests into losslab `eval` cases.

usage: keras_extract.py KERAS_REPO/keras/src/losses/losses_test.py > keras-cases.json

Runs every test method of Keras' `losses_test.py` against stand-ins for
`keras.src.losses`, `backend` and `testing`: a loss call records its inputs
(y_true, y_pred, sample_weight, the loss's options and reduction) and each
`assertAlmostEqual` / `assertAllClose` / `assertEqual` on such a record
becomes one case, with the tolerance that assertion uses
(assert_almost_equal: |a - d| < 1.5e-`decimal`, decimal 3 by default;
assert_allclose: |a - d| <= atol + rtol |d|, 1e-6 each by default).

Keras' reductions become eval calls exactly:
- per-sample values of an elementwise loss are means over the last axis, so
  the data are flattened and each per-sample weight is repeated over that
  axis; `sum_over_batch_size` is then `mean`; `sum` is `sum` with weights
  divided by the axis length; `mean_with_sample_weight` is `weighted_mean`;
- row losses (cross-entropies, KL, cosine, categorical hinge) take one row per
  per-sample value (other axes moved last and flattened);
- `reduction=None` compares per-sample values (elementwise: the mean of each
  group of `group` consecutive values of eval's `per_sample`).
Loss classes compute in float32 (Keras' floatx): `dtype = float32`; the
function forms use the inputs' dtype. Losses losslab lacks (CTC, Dice,
Tversky, Circle, generalized cross-entropy) and calls that are not a value
assertion on a loss are counted as not expressible.
"""
import json
import sys
import types
import traceback

import numpy as np

ELEMENTWISE = {
    "MeanSquaredError": "mse", "MeanAbsoluteError": "mae",
    "MeanAbsolutePercentageError": "mape", "MeanSquaredLogarithmicError": "msle",
    "Hinge": "hinge", "SquaredHinge": "squared_hinge", "Huber": "huber",
    "LogCosh": "log_cosh", "Poisson": "poisson", "BinaryCrossentropy": "bce",
    "BinaryFocalCrossentropy": "binary_focal",
}
ROWS = {
    "CategoricalHinge": "categorical_hinge", "CosineSimilarity": "cosine_similarity",
    "KLDivergence": "kl_divergence", "CategoricalCrossentropy": "cce",
    "SparseCategoricalCrossentropy": "scce",
    "CategoricalFocalCrossentropy": "categorical_focal_cross_entropy",
}
FUNCTIONS = {
    "mean_squared_error": "MeanSquaredError", "mean_absolute_error": "MeanAbsoluteError",
    "mean_absolute_percentage_error": "MeanAbsolutePercentageError",
    "mean_squared_logarithmic_error": "MeanSquaredLogarithmicError",
    "hinge": "Hinge", "squared_hinge": "SquaredHinge", "categorical_hinge": "CategoricalHinge",
    "cosine_similarity": "CosineSimilarity", "huber": "Huber", "log_cosh": "LogCosh",
    "kl_divergence": "KLDivergence", "poisson": "Poisson",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "categorical_focal_crossentropy": "CategoricalFocalCrossentropy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "binary_crossentropy": "BinaryCrossentropy",
    "binary_focal_crossentropy": "BinaryFocalCrossentropy",
}

CASES = []
SKIPPED = []
CURRENT = {"test": None, "n": 0}


class NotExpressible(Exception):
    pass


class Record:
    """The result of a loss call: what eval needs to reproduce it."""

    def __init__(self, kind, options, y_true, y_pred, sample_weight, function):
        self.kind, self.options = kind, options
        self.y_true, self.y_pred, self.sample_weight = y_true, y_pred, sample_weight
        self.function = function

    def __getattr__(self, name):
        raise NotExpressible(f"uses loss.{name}")


def params_of(kind, o):
    p = {"convention": "keras"}
    if kind in ("BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
                "CategoricalFocalCrossentropy", "SparseCategoricalCrossentropy"):
        if o.get("from_logits"):
            p["from_logits"] = True
    if kind in ("BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
                "CategoricalFocalCrossentropy") and o.get("label_smoothing"):
        p["label_smoothing"] = float(o["label_smoothing"])
    if kind == "Huber" and "delta" in o:
        p["delta"] = float(o["delta"])
    if kind == "BinaryFocalCrossentropy":
        p["gamma"] = float(o.get("gamma", 2.0))
        if o.get("apply_class_balancing"):
            p["alpha"] = float(o.get("alpha", 0.25))
    if kind == "CategoricalFocalCrossentropy":
        p["gamma"] = float(o.get("gamma", 2.0))
        alpha = o.get("alpha", 0.25)
        if not np.isscalar(alpha):
            raise NotExpressible("per-class alpha")
        p["alpha"] = float(alpha)
    if kind == "SparseCategoricalCrossentropy" and o.get("ignore_class") is not None:
        p["ignore_index"] = int(o["ignore_class"])
    for key in ("axis",):
        if key in o and o[key] not in (-1, None) and kind not in ROWS:
            raise NotExpressible("axis on an elementwise loss")
    return p


def translate(rec, expected, tol):
    kind, o = rec.kind, rec.options
    loss = ELEMENTWISE.get(kind) or ROWS.get(kind)
    if loss is None:
        raise NotExpressible(kind)
    params = params_of(kind, o)
    reduction = o.get("reduction", "sum_over_batch_size") if not rec.function else None
    yt = np.asarray(rec.y_true, dtype=np.float64)
    yp = np.asarray(rec.y_pred, dtype=np.float64)
    pred_dtype = np.asarray(rec.y_pred).dtype
    float32 = not rec.function or pred_dtype != np.float64
    if float32:
        params["dtype"] = "float32"
    axis = o.get("axis", -1)
    if kind == "SparseCategoricalCrossentropy":
        if axis not in (-1, None) and axis != yp.ndim - 1:
            yp = np.moveaxis(yp, axis, -1)
            if yt.ndim == yp.ndim:
                yt = np.moveaxis(yt, axis, -1)
        if yt.ndim == yp.ndim and yt.shape[-1] == 1:
            yt = yt[..., 0]
        if yt.shape != yp.shape[:-1]:
            raise NotExpressible("label shape")
        per_shape = yt.shape
        target = yt.reshape(-1).tolist()
        prediction = yp.reshape(-1, yp.shape[-1]).tolist()
        group = 1
    else:
        # Keras' squeeze_or_expand_to_same_rank.
        if yt.ndim == yp.ndim + 1 and yt.shape[-1] == 1:
            yt = yt[..., 0]
        if yp.ndim == yt.ndim + 1 and yp.shape[-1] == 1:
            yp = yp[..., 0]
        if yt.shape != yp.shape:
            raise NotExpressible(f"shapes {yt.shape} {yp.shape}")
        if axis not in (-1, None) and kind in ROWS:
            yt, yp = np.moveaxis(yt, axis, -1), np.moveaxis(yp, axis, -1)
        if yt.ndim == 0:
            raise NotExpressible("scalar")
        per_shape = yt.shape[:-1]
        if kind in ROWS:
            target = yt.reshape(-1, yt.shape[-1]).tolist()
            prediction = yp.reshape(-1, yp.shape[-1]).tolist()
            group = 1
        else:
            target = yt.reshape(-1).tolist()
            prediction = yp.reshape(-1).tolist()
            group = yt.shape[-1]
    n_per = int(np.prod(per_shape)) if per_shape else 1
    weights = None
    if rec.sample_weight is not None:
        sw = np.asarray(rec.sample_weight, dtype=np.float64)
        while sw.ndim > len(per_shape) and sw.shape[-1] == 1:
            sw = sw[..., 0]
        while sw.ndim < len(per_shape):
            sw = sw[..., None]
        try:
            sw = np.broadcast_to(sw, per_shape)
        except ValueError:
            raise NotExpressible("sample_weight shape")
        weights = np.repeat(sw.reshape(-1), group)
    case = {"loss": loss, "params": params, "target": target, "prediction": prediction}
    expected = np.asarray(expected, dtype=np.float64)
    if reduction is None:
        case["reduction"] = "none"
        case["group"] = group
        if expected.size != n_per:
            raise NotExpressible("expected shape")
        case["expected_per_sample"] = expected.reshape(-1).tolist()
    else:
        if expected.size != 1:
            raise NotExpressible("expected shape")
        case["expected_value"] = float(expected.reshape(-1)[0])
        if reduction == "sum_over_batch_size":
            case["reduction"] = "mean"
        elif reduction == "sum":
            case["reduction"] = "sum"
            if weights is None:
                weights = np.ones(len(target) if group != 1 or kind not in ROWS else n_per)
            weights = weights / group
        elif reduction == "mean_with_sample_weight":
            case["reduction"] = "weighted_mean"
        else:
            raise NotExpressible(f"reduction {reduction}")
    if weights is not None:
        case["weights"] = weights.tolist()
    case.update(tol)
    return case


def record(actual, desired, tol):
    if not isinstance(actual, Record):
        return
    CURRENT["n"] += 1
    cid = f"{CURRENT['test']}#{CURRENT['n']}"
    try:
        case = translate(actual, desired, tol)
        case["id"] = cid
        CASES.append(case)
    except NotExpressible as why:
        SKIPPED.append({"id": cid, "why": str(why)})


class TestCase:
    def assertAlmostEqual(self, actual, desired, decimal=3, tpu_decimal=None, msg=None):
        record(actual, desired, {"tolerance": "decimal", "decimal": decimal})

    def assertAllClose(self, actual, desired, atol=1e-6, rtol=1e-6, tpu_atol=None,
                       tpu_rtol=None, msg=None):
        record(actual, desired, {"tolerance": "allclose", "atol": atol, "rtol": rtol})

    def assertEqual(self, actual, desired, msg=None):
        record(actual, desired, {"tolerance": "allclose", "atol": 0.0, "rtol": 0.0})

    def assertDType(self, *a, **k):
        pass

    def assertLen(self, *a, **k):
        pass

    def assertTrue(self, *a, **k):
        pass

    def run_class_serialization_test(self, *a, **k):
        pass

    def assertRaisesRegex(self, *a, **k):
        class Swallow:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return True
        return Swallow()

    assertRaises = assertRaisesRegex


def loss_class(kind):
    class Loss:
        def __init__(self, **options):
            self.options = options

        def __call__(self, y_true, y_pred, sample_weight=None):
            return Record(kind, self.options, y_true, y_pred, sample_weight, False)
    Loss.__name__ = kind
    return Loss


def loss_function(kind):
    def f(y_true, y_pred, **options):
        return Record(kind, options, y_true, y_pred, None, True)
    return f


class AnyLoss(types.ModuleType):
    def __getattr__(self, name):
        if name in FUNCTIONS:
            return loss_function(FUNCTIONS[name])
        if name[0].isupper():
            return loss_class(name)
        raise AttributeError(name)


def install():
    keras = types.ModuleType("keras")
    src = types.ModuleType("keras.src")
    backend = types.ModuleType("keras.src.backend")
    backend.backend = lambda: "tensorflow"
    backend.shape = lambda x: (_ for _ in ()).throw(NotExpressible("shape"))
    backend.epsilon = lambda: 1e-7
    backend.standardize_dtype = lambda d: str(d)
    testing = types.ModuleType("keras.src.testing")
    testing.TestCase = TestCase
    losses_pkg = types.ModuleType("keras.src.losses")
    losses = AnyLoss("keras.src.losses.losses")
    losses_pkg.losses = losses
    src.backend, src.testing, src.losses = backend, testing, losses_pkg
    keras.src = src
    for name, mod in [("keras", keras), ("keras.src", src), ("keras.src.backend", backend),
                      ("keras.src.testing", testing), ("keras.src.losses", losses_pkg),
                      ("keras.src.losses.losses", losses)]:
        sys.modules[name] = mod
    pytest = types.ModuleType("pytest")

    class Mark:
        def __getattr__(self, name):
            return lambda *a, **k: (lambda f: f)
    pytest.mark = Mark()
    pytest.raises = TestCase().assertRaisesRegex
    sys.modules["pytest"] = pytest


def main():
    install()
    source = open(sys.argv[1]).read()
    namespace = {"__name__": "keras_losses_test"}
    exec(compile(source, sys.argv[1], "exec"), namespace)
    errors = []
    for name, cls in list(namespace.items()):
        if not (isinstance(cls, type) and issubclass(cls, TestCase) and cls is not TestCase):
            continue
        for method in sorted(m for m in vars(cls) if m.startswith("test")):
            CURRENT["test"], CURRENT["n"] = f"{name}.{method}", 0
            try:
                getattr(cls(), method)()
            except NotExpressible as why:
                SKIPPED.append({"id": CURRENT["test"], "why": str(why)})
            except Exception as ex:  # a test that needs real Keras tensors
                errors.append({"id": CURRENT["test"], "why": f"{type(ex).__name__}: {ex}"[:200]})
    json.dump({"source": "keras-team/keras keras/src/losses/losses_test.py",
               "cases": CASES, "not_expressible": SKIPPED + errors}, sys.stdout, indent=1)
    print(f"{len(CASES)} cases, {len(SKIPPED) + len(errors)} not expressible", file=sys.stderr)


if __name__ == "__main__":
    main()
