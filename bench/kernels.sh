#!/bin/sh
# The kernels side by side in one run: the memory-bandwidth reference
# (bench/stream.c), numpy (bench/kernels_numpy.py) and `losslab bench` on one
# and on two threads, all on N float64 pairs (default 2^25, past the caches).
# Needs gcc, python3 with numpy and scipy. Usage: bench/kernels.sh [N] [RUNS]
set -e
N=${1:-33554432}
RUNS=${2:-5}
cd "$(dirname "$0")/.."
cargo build --release --quiet
gcc -O3 -march=native -o target/stream bench/stream.c
uptime
./target/stream "$RUNS"
python3 bench/kernels_numpy.py "$N" "$RUNS"
target/release/losslab bench --n "$N" --threads 1 --runs "$RUNS"
target/release/losslab bench --n "$N" --threads 2 --runs "$RUNS"
uptime
