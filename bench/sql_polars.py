#!/usr/bin/env python3
"""Peer baseline (polars) for bench/sql_scale.sh: four loss means per model.

Usage:
    sql_polars.py 'DIR/*.parquet'

pl.scan_parquet(glob).group_by("model").agg(...).collect(engine="streaming"),
with the same four losses as the `losslab sql` query of bench/sql_scale.sh:
MSE and Huber (delta = 1) of p against y, MAE, and binary cross-entropy of
label against prob (prob strictly inside (0, 1) already, so no clipping).
Plain float sums (polars' own), printed with repr (every digit).
"""
import sys

import polars as pl


def main():
    err = pl.col("p") - pl.col("y")
    abs_err = err.abs()
    q, y = pl.col("prob"), pl.col("label")
    out = (
        pl.scan_parquet(sys.argv[1])
        .group_by("model")
        .agg(
            (err ** 2).mean().alias("mse"),
            abs_err.mean().alias("mae"),
            pl.when(abs_err <= 1.0).then(0.5 * err ** 2).otherwise(abs_err - 0.5).mean().alias("huber"),
            (-(y * q.log() + (1 - y) * (1 - q).log())).mean().alias("bce"),
        )
        .sort("model")
        .collect(engine="streaming")
    )
    for row in out.iter_rows(named=True):
        print(row["model"], " ".join(f"{k}={row[k]!r}" for k in ("mse", "mae", "huber", "bce")))


if __name__ == "__main__":
    main()
