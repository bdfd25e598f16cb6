#!/usr/bin/env bash
# Side-by-side wall time: `losslab render configs/article.toml` against the
# matplotlib script that draws the same figures (bench/article_matplotlib.py).
# Both run alternately in one session, RUNS times each; prints medians and the ratio.
# Needs: cargo, python3 with numpy, scipy and matplotlib. PEER=path overrides
# the peer script; CARGO_TARGET_DIR is respected.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-7}
peer=${PEER:-bench/article_matplotlib.py}
bin=${CARGO_TARGET_DIR:-target}/release/losslab
[ -f "$peer" ] || { echo "no peer script at $peer (set PEER=...)" >&2; exit 1; }
cargo build --release --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
losslab_times=() peer_times=()
for _ in $(seq "$runs"); do
    t0=$(now); "$bin" render configs/article.toml --out "$work/losslab" >/dev/null; t1=$(now)
    python3 "$peer" "$work/peer" >/dev/null; t2=$(now)
    losslab_times+=("$(echo "$t1 - $t0" | bc)")
    peer_times+=("$(echo "$t2 - $t1" | bc)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
l=$(median "${losslab_times[@]}")
p=$(median "${peer_times[@]}")
printf 'losslab render: %.3f s (median of %d)\nmatplotlib:     %.3f s (median of %d)\nratio:          %.1fx faster\n' \
    "$l" "$runs" "$p" "$runs" "$(echo "$p / $l" | bc -l)"
