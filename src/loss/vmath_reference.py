"""Writes vmath_reference.txt: inputs of losslab's `vmath` functions with
their exact values from mpmath (60 digits), as a double-double hi + lo, so
that the tests measure errors in ulps of the true value (for exp's subnormal
results, e^x·2^64 under the name exp_times_2_64).

    python3 src/loss/vmath_reference.py > src/loss/vmath_reference.txt
"""
import random
import struct

import mpmath

mpmath.mp.dps = 60


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def split(v):
    hi = float(v)
    lo = float(v - mpmath.mpf(hi))
    return hi, lo


rng = random.Random(20261202)
cases = {"exp": [], "ln": [], "ln_1p": []}
for _ in range(400):
    cases["exp"].append(rng.uniform(-745.0, 709.7))
    cases["exp"].append(rng.uniform(-1.0, 1.0) * 10.0 ** rng.uniform(-20, 0))
    cases["ln"].append(2.0 ** rng.uniform(-1074, 1023))
    cases["ln"].append(rng.uniform(0.5, 2.0))
    cases["ln_1p"].append(rng.uniform(-1.0, 1.0) * 10.0 ** rng.uniform(-20, 0))
    cases["ln_1p"].append(2.0 ** rng.uniform(-2, 1000))
cases["exp"] += [-745.0, -740.0, -709.0, 709.78, 1e-300, -1e-300, 0.5, 1.0, -0.34657359027997264]
cases["ln"] += [5e-324, 2.2250738585072014e-308, 0.7071067811865476, 1.4142135623730951, 2.0, 1e308]
cases["ln_1p"] += [-0.9999999999999999, -0.29289, 0.41422, 1e-300, 9007199254740992.0, 1e300]
# ln_1p_unit (arguments in [0, 1]) where it differs from ln_1p: [0.41422, 1],
# from a generator of its own so that the lines above stay as they were.
unit = random.Random(20261203)
cases["ln_1p_unit"] = [0.41422 + 0.58578 * unit.random() for _ in range(300)]
cases["ln_1p_unit"] += [0.4142135623730951, 0.5, 0.75, 0.9999999999999999, 1.0]
# More of ln's reduced range [√2/2, √2), where its polynomial does the work.
cases["ln"] += [0.70710678 + 0.70710679 * unit.random() for _ in range(400)]
# More of exp (table-driven): across the whole range, near 0, where the
# reduced argument r is at its ends (x near (j + 1/2)·ln 2/128), and where
# the result is subnormal (x below −708.4, rounded twice).
more = random.Random(20261204)
cases["exp"] += [more.uniform(-745.13, 709.78) for _ in range(1500)]
cases["exp"] += [more.uniform(-40.0, 40.0) for _ in range(1000)]
cases["exp"] += [(more.randrange(-2000, 2000) + 0.5) * 0.005415212348111709 * (1 + 1e-13 * more.uniform(-1, 1)) for _ in range(500)]
cases["exp"] += [more.uniform(-745.13, -708.4) for _ in range(1000)]
# The ends of exp's reduced argument since its table has 16 entries
# (x near (j + 1/2)·ln 2/16, |r| near ln 2/32).
ends16 = random.Random(20261206)
cases["exp"] += [(ends16.randrange(-16000, 16000) + 0.5) * 0.04332169878499658 * (1 + 1e-13 * ends16.uniform(-1, 1)) for _ in range(1000)]
# ln_prob (ln q) and ln_1m_prob (ln(1 − q)) on probabilities: uniform, every
# binade down to the subnormals, and for ln(1 − q) more of [0.29289, 1/2),
# where 1 − q is rounded and its error is put back, and tiny q.
prob = random.Random(20261205)
cases["ln_prob"] = [prob.random() for _ in range(600)]
cases["ln_prob"] += [2.0 ** prob.uniform(-1074, 0) for _ in range(200)]
cases["ln_prob"] += [5e-324, 2.2250738585072014e-308, 0.5, 0.7071067811865476, 0.9999999999999999]
cases["ln_1m_prob"] = [prob.random() for _ in range(400)]
cases["ln_1m_prob"] += [prob.uniform(0.29289, 0.5) for _ in range(400)]
cases["ln_1m_prob"] += [10.0 ** prob.uniform(-20, 0) for _ in range(200)]
cases["ln_1m_prob"] += [0.29289, 0.5, 0.9999999999999999, 1e-300, 0.7071067811865476]
funcs = {"exp": mpmath.exp, "ln": mpmath.log, "ln_1p": mpmath.log1p, "ln_1p_unit": mpmath.log1p,
         "ln_prob": mpmath.log, "ln_1m_prob": lambda q: mpmath.log1p(-q)}
print("# function x_bits exact_hi exact_lo (mpmath, 60 digits)")
for name, xs in cases.items():
    for x in xs:
        v = funcs[name](mpmath.mpf(x))
        if v == 0 or abs(v) < mpmath.mpf(2) ** -1074:
            continue
        if name == "exp" and v < mpmath.mpf(2) ** -1022:
            # A subnormal result: e^x·2^64, a normal double-double (the
            # test scales exp's result by the same power of two).
            name_out, v = "exp_times_2_64", v * mpmath.mpf(2) ** 64
        else:
            name_out = name
        hi, lo = split(v)
        print(f"{name_out} {bits(x):016x} {hi!r} {lo!r}")
