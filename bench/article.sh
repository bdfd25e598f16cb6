#!/usr/bin/env bash
# Side by side: `losslab render configs/article.toml` against the matplotlib
# script that draws the same figures (bench/article_matplotlib.py), in wall
# time and in CPU time (user + system, from the kernel's rusage of each
# process: bench/article_side.py). Both run alternately in one session, RUNS
# times each; prints medians, the CPU mean and the ratios. BASE=path adds an
# older losslab binary to every round (to compare two builds under the same
# load). Needs: cargo, python3 with numpy, scipy and matplotlib. PEER=path
# overrides the peer script; CARGO_TARGET_DIR is respected.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-7}
peer=${PEER:-bench/article_matplotlib.py}
bin=${CARGO_TARGET_DIR:-target}/release/losslab
[ -f "$peer" ] || { echo "no peer script at $peer (set PEER=...)" >&2; exit 1; }
cargo build --release --quiet
exec python3 bench/article_side.py "$runs" "$bin" ${BASE:+"$BASE"} --peer "$peer"
