#!/usr/bin/env python3
"""Side by side, in one session: `losslab render configs/article.toml` of
one or two builds against the matplotlib script drawing the same figures.

    python3 bench/article_side.py ROUNDS BIN [BASE_BIN] [--peer-every K] [--rt] [--peer SCRIPT]

Each round runs BIN, then BASE_BIN (when given), then, every K-th round,
`bench/article_matplotlib.py`. Wall time is measured around each process;
CPU time (user + system) comes from the kernel's rusage of that process
(`os.wait4`), to the microsecond. Prints the median wall time, the mean and
median CPU time and the ratios against matplotlib. `--rt` runs every command
under `chrt -f 10` (needs root): on a machine busy with other work this keeps
the other processes from preempting the measured ones, so the wall times are
closer to an idle machine's (caches and memory bandwidth are still shared).
`--peer` names another matplotlib script (default `bench/article_matplotlib.py`).
Run from the repository's root.
"""

import argparse
import os
import statistics as st
import subprocess
import tempfile
import time


def run(command, rt):
    prefix = ["chrt", "-f", "10"] if rt else []
    start = time.perf_counter()
    child = subprocess.Popen(
        prefix + command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed (status {status})")
    return wall, usage.ru_utime + usage.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("rounds", type=int)
    parser.add_argument("binary")
    parser.add_argument("base", nargs="?")
    parser.add_argument("--peer-every", type=int, default=1)
    parser.add_argument("--rt", action="store_true")
    parser.add_argument("--peer", default="bench/article_matplotlib.py")
    args = parser.parse_args()
    work = tempfile.mkdtemp()
    commands = {"losslab": [args.binary, "render", "configs/article.toml", "--out", f"{work}/new"]}
    if args.base:
        commands["base"] = [args.base, "render", "configs/article.toml", "--out", f"{work}/base"]
    peer = ["python3", args.peer, f"{work}/peer"]
    times = {name: [] for name in [*commands, "matplotlib"]}
    for round_ in range(args.rounds):
        for name, command in commands.items():
            times[name].append(run(command, args.rt))
        if round_ % args.peer_every == 0:
            times["matplotlib"].append(run(peer, args.rt))
    for name, runs in times.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(
            f"{name}: {len(runs)} runs, wall median {st.median(walls) * 1e3:.1f} ms "
            f"({min(walls) * 1e3:.1f}-{max(walls) * 1e3:.1f}), CPU mean "
            f"{st.mean(cpus) * 1e3:.1f} ms, median {st.median(cpus) * 1e3:.1f} ms"
        )
    peer_wall = st.median(w for w, _ in times["matplotlib"])
    peer_cpu = st.mean(c for _, c in times["matplotlib"])
    for name in commands:
        wall = st.median(w for w, _ in times[name])
        cpu = st.mean(c for _, c in times[name])
        print(f"matplotlib / {name}: {peer_wall / wall:.1f}x wall, {peer_cpu / cpu:.1f}x CPU")


if __name__ == "__main__":
    main()
