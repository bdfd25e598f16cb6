#!/usr/bin/env bash
# `losslab sql` at scale: four losses (MSE, MAE, Huber delta=1, binary
# cross-entropy) for three models, grouped by model, over N rows of Parquet
# (bench/make_grouped.py, 8 files), measured in one run against:
#   - the same query with the compensated functions (NAME_compensated),
#   - DataFusion's own avg() of the same four expressions, through `losslab sql`,
#   - DataFusion's avg((p - y) * (p - y)) alone, and mse(y, p) alone,
#   - polars (bench/sql_polars.py: scan_parquet + group_by + streaming collect).
# Each command runs RUNS times (default 3), alternating; the script prints
# each run's wall, CPU (user + sys) and peak RSS (/usr/bin/time), the median
# CPU per command and its ratio to DataFusion's avg(), and the load average
# before and after (a shared machine: read the ratios, not the seconds).
# Usage: bench/sql_scale.sh [N] (default 1e7); DATA_DIR, RUNS, PARTITIONS
# (default 0 = one per core), BUILD=0 (use the built binary),
# CARGO_TARGET_DIR and NAMES (a subset of the commands, space-separated,
# e.g. NAMES="exact compensated avg polars"; avg is always run, as the base
# of the ratios) are respected.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1e7}
runs=${RUNS:-3}
partitions=${PARTITIONS:-0}
bin=${CARGO_TARGET_DIR:-target}/release/losslab
data=${DATA_DIR:-${CARGO_TARGET_DIR:-target}/bench-sql/$n}
[ "${BUILD:-1}" = 0 ] || cargo build --release --features datafusion --quiet
if [ ! -f "$data/part-0.parquet" ]; then
    python3 bench/make_grouped.py "$n" "$data"
fi
files="$data/*.parquet"

exact="SELECT model, mse(y, p) AS mse, mae(y, p) AS mae, huber(y, p, 1.0) AS huber,
  binary_cross_entropy(label, prob) AS bce FROM '$files' GROUP BY model ORDER BY model"
compensated="SELECT model, mse_compensated(y, p) AS mse, mae_compensated(y, p) AS mae,
  huber_compensated(y, p, 1.0) AS huber, binary_cross_entropy_compensated(label, prob) AS bce
  FROM '$files' GROUP BY model ORDER BY model"
avg="SELECT model, avg((p - y) * (p - y)) AS mse, avg(abs(p - y)) AS mae,
  avg(CASE WHEN abs(p - y) <= 1.0 THEN 0.5 * (p - y) * (p - y) ELSE abs(p - y) - 0.5 END) AS huber,
  avg(-(label * ln(prob) + (1.0 - label) * ln(1.0 - prob))) AS bce
  FROM '$files' GROUP BY model ORDER BY model"
avg_mse="SELECT model, avg((p - y) * (p - y)) AS mse FROM '$files' GROUP BY model ORDER BY model"
mse="SELECT model, mse(y, p) AS mse FROM '$files' GROUP BY model ORDER BY model"

read -r -a names <<<"${NAMES:-exact compensated avg avg_mse mse polars}"
case " ${names[*]} " in *" avg "*) ;; *) names+=(avg) ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "rows: $n in $data ($(du -sh "$data" | cut -f1)); partitions: $partitions"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
declare -A cpus
for _ in $(seq "$runs"); do
    for name in "${names[@]}"; do
        case $name in
            polars) command=(python3 bench/sql_polars.py "$files") ;;
            *) command=("$bin" sql "${!name}" --partitions "$partitions") ;;
        esac
        /usr/bin/time -f "%e %U %S %M" -o "$work/time" "${command[@]}" >"$work/$name.out"
        read -r wall user sys rss <"$work/time"
        cpu=$(echo "$user + $sys" | bc)
        printf '%-12s wall %7.2f s  cpu %7.2f s  peak rss %5d MB\n' "$name" "$wall" "$cpu" $((rss / 1024))
        cpus[$name]+="$cpu "
    done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(median "${cpus[avg]}")
for name in "${names[@]}"; do
    m=$(median "${cpus[$name]}")
    printf 'median cpu %-12s %7.2f s  %5.2fx avg()\n' "$name" "$m" "$(echo "$m / $base" | bc -l)"
done
for name in exact compensated avg polars; do
    if [ -f "$work/$name.out" ]; then echo "$name - results:"; cat "$work/$name.out"; fi
done
