#!/usr/bin/env python3
"""Generate a seeded, grouped prediction data set as Parquet files.

Usage:
    make_grouped.py N OUT_DIR [--files F] [--seed S]

Writes OUT_DIR/part-K.parquet (F files, default 8, written a row group of
1,000,000 rows at a time so that memory stays bounded) with N rows in all:

    model   string, one of "a", "b", "c" (uniformly at random)
    y       float64, standard normal target
    p       float64, y + model noise (N(0, 0.3), N(0, 0.5), N(0, 0.8) by
            model) plus a large outlier (+-U(5, 50)) on 2% of the rows
    label   float64, 0/1 (Bernoulli(0.3))
    prob    float64 in the open interval (0, 1), correlated with label

The same seed gives the same files.
"""
import argparse
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CHUNK = 1_000_000
MODELS = np.array(["a", "b", "c"])
NOISE = np.array([0.3, 0.5, 0.8])


def chunk(rng, n):
    model = rng.integers(0, 3, n)
    y = rng.standard_normal(n)
    p = y + NOISE[model] * rng.standard_normal(n)
    outlier = rng.random(n) < 0.02
    k = int(outlier.sum())
    p[outlier] += np.where(rng.random(k) < 0.5, -1.0, 1.0) * rng.uniform(5.0, 50.0, k)
    label = (rng.random(n) < 0.3).astype(np.float64)
    logit = 1.5 * (2.0 * label - 1.0) + 1.5 * rng.standard_normal(n)
    prob = np.clip(1.0 / (1.0 + np.exp(-logit)), np.nextafter(0.0, 1.0), np.nextafter(1.0, 0.0))
    return pa.table({
        "model": pa.array(MODELS[model]),
        "y": y,
        "p": p,
        "label": label,
        "prob": prob,
    })


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=float)
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--seed", type=int, default=14)
    args = ap.parse_args()
    n = int(args.n)
    if n <= 0 or n > 10**9:
        raise SystemExit("N must be in 1..1e9")
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    per_file = -(-n // args.files)
    written = 0
    for k in range(args.files):
        rows = min(per_file, n - written)
        if rows <= 0:
            break
        path = os.path.join(args.out, f"part-{k}.parquet")
        writer = None
        left = rows
        while left > 0:
            table = chunk(rng, min(CHUNK, left))
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
            left -= table.num_rows
        writer.close()
        written += rows
    print(f"{written} rows in {args.out}")


if __name__ == "__main__":
    main()
