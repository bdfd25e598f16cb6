#!/usr/bin/env bash
# Writes N generated scenarios (default 100) into DIR: batch-001.toml ...
# Each draws 400 seeded samples (its own seed), fits MAE, MSE and Huber at
# three deltas, and has two figures and a table, so the scenarios differ
# and each costs about what a small real report does.
# Usage: bench/make_batch.sh DIR [N]
set -euo pipefail
dir=${1:?usage: make_batch.sh DIR [N]}
count=${2:-100}
mkdir -p "$dir"
for i in $(seq 1 "$count"); do
    name=$(printf 'batch-%03d' "$i")
    cat >"$dir/$name.toml" <<TOML
[metadata]
title = "Generated scenario $i"
intro = "Scenario $i of $count. Seeded noise with outliers, three losses."

[[datasets]]
name = "target"
generate = { size = 400, seed = $i, distribution = { kind = "normal", mean = $i, std = 1 } }

[[datasets]]
name = "prediction"
generate = { size = 400, seed = $((i + 1000)), mixture = [
  { share = 0.9, distribution = { kind = "normal", mean = $i, std = 1.5 } },
  { share = 0.1, distribution = { kind = "uniform", low = $((i - 20)), high = $((i + 20)) } },
] }

[[losses]]
loss = "mse"

[[losses]]
loss = "mae"

[[losses]]
name = "huber"
loss = "huber"
delta = [0.5, 1.0, 2.0]

[[quantities]]
name = "mse"
loss = "mse"
target = "target"
prediction = "prediction"

[[quantities]]
name = "mae"
loss = "mae"
target = "target"
prediction = "prediction"

[[figures]]
name = "data"
kind = "data"
title = "Targets and predictions"
caption = "Scenario $i."
alt = "Targets and predictions of scenario $i."
target = "target"
prediction = "prediction"

[[figures]]
name = "losses"
kind = "loss_curve"
title = "The losses"
caption = "MSE, MAE and Huber at three deltas."
alt = "Five loss curves."
losses = ["mse", "mae", "huber"]
x = { from = -3, to = 3, step = 0.02 }

[[sections]]
id = "numbers"
title = "Numbers"
markdown = "MSE is {mse:4} and MAE is {mae:4}."
figures = ["data", "losses"]
TOML
done
