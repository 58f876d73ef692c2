#!/usr/bin/env bash
# Device check of the GPU engine, for a machine with an NVIDIA GPU and its driver (no system CUDA
# needed) whose registries are reachable. Under 5 minutes once npm packages are installed:
#   1. builds tfjs-node-gpu on tensorflow[and-cuda]==2.21 (the GPU part of `bash scripts/setup.sh --gpu`)
#      and tfjs-node on tensorflow-cpu (the CPU reference);
#   2. bench/gpu-check.ts: auto picks tfjs-node-gpu, a matmul runs at GPU speed, the reference CNN and
#      a short FiGS run match the CPU within tolerance, ms/step of each;
#   3. the Keras anchor on the same GPU (bench/keras-anchor.py --device gpu).
# Prints one line per fact and `gpu-check: ok` or what failed; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
nvidia-smi -L || { echo "gpu-check: nvidia-smi lists no GPU: run this on a machine with an NVIDIA GPU and driver" >&2; exit 1; }
[ -f node_modules/@tensorflow/tfjs-node-gpu/binding.gyp ] || npm ci --no-audit --no-fund --loglevel=error
bash scripts/native-engine.sh --gpu
bash scripts/native-engine.sh
[ -f node_modules/@tensorflow/tfjs-node-gpu/lib/napi-v8/tfjs_binding.node ] || { echo "gpu-check: the GPU engine did not build (see .morphsweep/native/tfjs-node-gpu.log)" >&2; exit 1; }
echo "gpu-check: set-up took $((SECONDS - start)) s"
status=0
node --import tsx bench/gpu-check.ts --steps 20 --figs-steps 200 || status=$?
echo "Keras anchor on the GPU (same network, batch 128, Adam):"
.morphsweep/tf-gpu-venv/bin/python bench/keras-anchor.py --device gpu --threads 2 --steps 20 || status=$?
echo "gpu-check: done in $((SECONDS - start)) s"
exit "$status"
