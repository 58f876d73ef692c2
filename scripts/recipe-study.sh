#!/usr/bin/env bash
# Reproduces the table of docs/recipes.md: one structure found by the target search math (FiGS x
# FLOPs on the reference CNN, full Fashion-MNIST), then its arms retrained as parallel processes
# (structure and uniform width at the same FLOPs, SEEDS seeds each), merged into the markdown table.
#
#   bash scripts/recipe-study.sh [LABEL] [WIDTHS]     # WIDTHS (e.g. 12-40-128) skips the search
#
# Environment: STRUCTURE_STEPS (800), RETRAIN_STEPS (500), SEEDS (3), START_STRENGTH (5.2, x 1/cost0),
# ARMS ("structure uniform"; "structure-expanded uniform-expanded" widens both to the seed's FLOPs),
# OUT (bench/results/recipes.jsonl). Runs at nice 10: it shares the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
label="${1:-figs-flops}"
widths="${2:-}"
out="${OUT:-bench/results/recipes.jsonl}"
structure_steps="${STRUCTURE_STEPS:-800}"
retrain_steps="${RETRAIN_STEPS:-500}"
seeds="${SEEDS:-3}"
study=(nice -n 10 node --import tsx bench/evidence-study.ts --label "$label" --out "$out")

if [[ -z "$widths" ]]; then
  # The search alone (--seeds 0 retrains nothing); the chosen structure's widths are in its record.
  "${study[@]}" --start-strength "${START_STRENGTH:-5.2}" --max-probes 3 --structure-steps "$structure_steps" --seeds 0
  widths="$(tail -n 1 "$out" | node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); const p = r.probes.find((x) => Math.abs(x.fraction - r.chosen?.fraction) < 1e-12); if (!p) process.exit(1); console.log(p.widths.slice(0, 3).join("-"))')" || {
    echo "the search found no structure in the band; see $out" >&2
    exit 1
  }
fi
echo "retraining structure $widths and its uniform baseline, $seeds seeds each, $retrain_steps steps" >&2
pids=()
for arm in ${ARMS:-structure uniform}; do
  for seed in $(seq 1 "$seeds"); do
    "${study[@]}" --widths "$widths" --arm "$arm" --seed "$seed" --retrain-steps "$retrain_steps" --threads 1 &
    pids+=("$!")
  done
done
for pid in "${pids[@]}"; do wait "$pid"; done
node --import tsx bench/evidence-study.ts --table --out "$out"
