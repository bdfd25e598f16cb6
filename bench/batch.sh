#!/usr/bin/env bash
# Batch rendering: N generated scenarios (bench/make_batch.sh, default 100)
# rendered with --jobs 1 and with --jobs 2, alternately, RUNS times each
# (default 3). Prints each run's wall and CPU time, the medians and the
# speed-up, checks that both outputs are byte-identical, and prints the load
# average before and after (the machine may be shared: read the ratio with it).
# Usage: bench/batch.sh [N]; CARGO_TARGET_DIR is respected.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100}
runs=${RUNS:-3}
bin=${CARGO_TARGET_DIR:-target}/release/losslab
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bench/make_batch.sh "$work/configs" "$count"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
declare -A walls
for _ in $(seq "$runs"); do
    for jobs in 1 2; do
        rm -rf "$work/out-$jobs"
        /usr/bin/time -f "%e %U %S" -o "$work/time" \
            "$bin" render "$work/configs" --out "$work/out-$jobs" --jobs "$jobs" >/dev/null
        read -r wall user sys <"$work/time"
        printf 'jobs %s: wall %6.2f s  cpu %6.2f s (user %.2f + sys %.2f)\n' \
            "$jobs" "$wall" "$(echo "$user + $sys" | bc)" "$user" "$sys"
        walls[$jobs]+="$wall "
    done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
median() { printf '%s\n' $1 | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
one=$(median "${walls[1]}")
two=$(median "${walls[2]}")
printf 'median wall: jobs 1 %.2f s, jobs 2 %.2f s, speed-up %.2fx\n' "$one" "$two" "$(echo "$one / $two" | bc -l)"
# A shared machine with per-session fair scheduling (autogroups) gives one
# session about the same CPU whatever its thread count, so wall time there
# cannot show what a second core does. What can be measured: the CPU time
# each thread of a --jobs 2 run used. On two free cores the wall time is at
# least that of the busiest thread, and about that when the rest is idle.
rm -rf "$work/out-2t"
"$bin" render "$work/configs" --out "$work/out-2t" --jobs 2 >/dev/null &
pid=$!
declare -A ticks
while kill -0 "$pid" 2>/dev/null; do
    for stat in /proc/"$pid"/task/*/stat; do
        read -r -a f <"$stat" 2>/dev/null || continue
        tid=${f[0]}
        ticks[$tid]=$((f[13] + f[14]))
    done
    sleep 0.05
done
wait "$pid"
hz=$(getconf CLK_TCK)
busiest=0 total=0
for t in "${ticks[@]}"; do
    total=$((total + t))
    ((t > busiest)) && busiest=$t
done
printf 'jobs 2, per thread: busiest %.2f s of %.2f s CPU in %d threads\n' \
    "$(echo "$busiest / $hz" | bc -l)" "$(echo "$total / $hz" | bc -l)" "${#ticks[@]}"
printf 'projected speed-up on two free cores: %.2fx (CPU of all threads / CPU of the busiest)\n' \
    "$(echo "$total / $busiest" | bc -l)"
if diff -r "$work/out-1" "$work/out-2" >/dev/null; then
    echo "outputs byte-identical"
else
    echo "outputs DIFFER" >&2
    exit 1
fi
